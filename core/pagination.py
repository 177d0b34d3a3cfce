from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
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
    ordering: tuple[str, ...] = ("-created_at", "-id")

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

    queryset: QuerySet[Any] | None = None

    def invalid_cursor(self) -> ValidationError:
        return ValidationError({self.cursor_query_param: ["Not a cursor this server gave out."]}, code="invalid_cursor")

    def paginate_queryset(self, queryset: Any, request: Request, view: APIView | None = None) -> Any:
        # decode_cursor checks a position against the field the list is ordered by.
        self.queryset = queryset if isinstance(queryset, QuerySet) else None
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request: Request) -> pagination.Cursor | None:
        # DRF answers a cursor it cannot read with 404; the list exists, the request is wrong.
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            raise self.invalid_cursor() from None
        if cursor is not None and cursor.position is not None and self.queryset is not None:
            # A position is a value of the first ordering field: one that is not (a forged
            # cursor) would fail in the query, as a 400 naming no field and echoing the value.
            name = self.ordering[0].lstrip("-")
            annotation = self.queryset.query.annotations.get(name)
            field = annotation.output_field if annotation is not None else self.queryset.model._meta.get_field(name)
            try:
                field.to_python(cursor.position)
            except DjangoValidationError:
                raise self.invalid_cursor() from None
        return cursor

    def cursor_of(self, link: str | None) -> str | None:
        """The ``cursor`` in a page link: clients get it as a field and never parse URLs."""
        if link is None:
            return None
        return parse_qs(urlsplit(link).query).get(self.cursor_query_param, [None])[0]

    def get_paginated_response(self, data: Any) -> Response:
        next_link, previous_link = self.get_next_link(), self.get_previous_link()
        return Response(
            {
                "next": next_link,
                "previous": previous_link,
                "next_cursor": self.cursor_of(next_link),
                "previous_cursor": self.cursor_of(previous_link),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        paginated = super().get_paginated_response_schema(schema)

        def cursor(page: str) -> dict[str, Any]:
            return {
                "type": "string",
                "nullable": True,
                "description": f"Send it as `?cursor=` for the {page} page; null when there is none.",
            }

        properties = paginated["properties"]
        paginated["properties"] = {
            "next": properties["next"],
            "previous": properties["previous"],
            "next_cursor": cursor("next"),
            "previous_cursor": cursor("previous"),
            "results": properties["results"],
        }
        return paginated

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size, default=self.page_size)
        return parameters
