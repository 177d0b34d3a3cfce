"""Serializer fields that take JSON types at their word.

DRF's CharField turns ``0`` or ``true`` into ``"0"`` and ``"True"``. A client sending a
number where the contract says text has a bug, and hiding it stores nonsense in a journal;
these fields answer 400 instead, as the OpenAPI schema promises.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from django.db.models import Model
from rest_framework import serializers

from core.input import FIRST_YEAR, ascii_digits, parse_day

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    # What the mixin is mixed into, for the type checker; at run time it stands alone.
    _Field = serializers.Field[Any, Any, Any, Any]
else:
    _Field = object

_MT = TypeVar("_MT", bound=Model)


class StrictTextMixin(_Field):
    default_error_messages: ClassVar[dict[str, StrOrPromise]] = {"invalid": "Not a valid string."}

    def run_validation(self, data: Any = serializers.empty) -> Any:
        # The length the schema promises is the length sent: DRF measures after trimming, so
        # 600 characters that Python counts as whitespace ("\x1c") would pass a 500 limit.
        max_length = getattr(self, "max_length", None)
        if isinstance(data, str) and max_length is not None and len(data) > max_length:
            self.fail("max_length", max_length=max_length)
        return super().run_validation(data)

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class CharField(StrictTextMixin, serializers.CharField):
    pass


class EmailField(StrictTextMixin, serializers.EmailField):
    pass


class IntegerField(serializers.IntegerField):
    """A JSON number that is whole: not ``"3"``, not ``true``, not ``3.5``."""

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        if isinstance(data, float) and not data.is_integer():
            self.fail("invalid")
        return super().to_internal_value(int(data))


class QueryIntegerField(serializers.IntegerField):
    """A whole number in a query string: ASCII digits only; sent empty (``?weeks=``) is a 400,
    not the default (DRF reads an empty form value as absent)."""

    def get_value(self, dictionary: Any) -> Any:
        if self.field_name in dictionary:
            return dictionary[self.field_name]
        return super().get_value(dictionary)

    def to_internal_value(self, data: Any) -> int:
        if not isinstance(data, str) or not ascii_digits(data):
            self.fail("invalid")
        return super().to_internal_value(data)


class DateField(serializers.DateField):
    """``YYYY-MM-DD`` in ASCII digits, from 1900 (DRF's regex takes any script's digits)."""

    default_error_messages: ClassVar[dict[str, StrOrPromise]] = {
        "invalid": f"A date as YYYY-MM-DD, from {FIRST_YEAR} on."
    }

    def to_internal_value(self, value: Any) -> date:
        if not isinstance(value, str):
            self.fail("invalid")
        try:
            return parse_day(value)
        except ValueError:
            self.fail("invalid")


class ModelSerializer(serializers.ModelSerializer[_MT]):
    """A ModelSerializer whose generated text, number and date fields are strict too."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        **{
            model_field: {
                serializers.CharField: CharField,
                serializers.IntegerField: IntegerField,
                serializers.DateField: DateField,
            }.get(field, field)
            for model_field, field in serializers.ModelSerializer.serializer_field_mapping.items()
        },
    }


class BooleanField(serializers.BooleanField):
    """Only JSON ``true`` and ``false``: ``"no"`` or ``0`` for a privacy switch is a client bug."""

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class UUIDField(StrictTextMixin, serializers.UUIDField):
    """Only a UUID string: DRF's would turn ``0`` or ``false`` into the nil UUID."""

    default_error_messages: ClassVar[dict[str, StrOrPromise]] = {"invalid": "Must be a UUID string."}


class PrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField[_MT]):
    """An id or null: ``""`` is not a way to say null (DRF's would take it as one)."""

    def run_validation(self, data: Any = serializers.empty) -> Any:
        if data == "":
            self.fail("incorrect_type", data_type="empty string")
        return super().run_validation(data)


class TextListField(serializers.ListField):
    """A list of non-blank strings, each at most ``item_max_length`` characters.

    Errors name the list (``attr: "items"``), not an index: the OpenAPI error schema can
    describe a field, not ``items.3``, and a client shows the message beside the list anyway.
    """

    default_error_messages = {
        "item_not_text": "Each item must be a string.",
        "item_blank": "An item is blank; leave it out instead.",
        "item_too_long": "An item is longer than {max_length} characters.",
    }

    def __init__(self, *, item_max_length: int, **kwargs: Any) -> None:
        self.item_max_length = item_max_length
        kwargs["child"] = CharField(max_length=item_max_length)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> list[str]:
        if not isinstance(data, list):
            return super().to_internal_value(data)  # DRF's "not_a_list"
        items: list[str] = []
        for item in data:
            if not isinstance(item, str) or "\x00" in item:
                self.fail("item_not_text")
            if not item.strip():
                self.fail("item_blank")
            if len(item) > self.item_max_length:  # as sent: the schema's maxLength
                self.fail("item_too_long", max_length=self.item_max_length)
            items.append(item.strip())
        return items
