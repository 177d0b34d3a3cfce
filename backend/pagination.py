from rest_framework import pagination


class CursorPagination(pagination.CursorPagination):
    """Cursor pagination for every list: stable under inserts, no page counting on big tables."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = ("-created_at", "-id")
