"""Query filters that take a client at its word."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django_filters import rest_framework as filters
from rest_framework.exceptions import ValidationError


class FilterSet(filters.FilterSet):
    """A filter sent empty (``?status=``) is a 400, not "no filter".

    No value of the schema's enum or pattern is empty, so a client that sends one has a bug
    that silently widening the list would hide (django-filter's default).
    """

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        data = self.data or {}
        for name, declared in self.filters.items():
            if name in data and data.get(name) == "":
                code = "invalid_choice" if isinstance(declared, filters.ChoiceFilter) else "invalid"
                raise ValidationError({name: ["Leave the filter out rather than send it empty."]}, code=code)
        return super().filter_queryset(queryset)
