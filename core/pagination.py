from typing import Any

from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.views import APIView

from core.input import ascii_digits


class CursorPagination(pagination.CursorPagination):
    """Cursor pagination for every list: stable under inserts, no page counting on big tables.

    A ``page_size`` that is not a whole number from 1 to 200 is a 400, as the schema says,
    rather than being silently replaced by the default.
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = ("-created_at", "-id")

    def get_page_size(self, request: Request) -> int | None:
        raw = request.query_params.getlist(self.page_size_query_param)
        if not raw:
            return self.page_size
        value = raw[-1]
        if len(value) > 3 or not ascii_digits(value) or not 1 <= int(value) <= self.max_page_size:
            raise ValidationError(
                {self.page_size_query_param: [f"A whole number from 1 to {self.max_page_size}."]}, code="invalid"
            )
        return int(value)

    def decode_cursor(self, request: Request) -> pagination.Cursor | None:
        # DRF answers a cursor it cannot read with 404; the list exists, the request is wrong.
        try:
            return super().decode_cursor(request)
        except NotFound:
            raise ValidationError(
                {self.cursor_query_param: ["Not a cursor this server gave out."]}, code="invalid_cursor"
            ) from None

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size, default=self.page_size)
        return parameters
