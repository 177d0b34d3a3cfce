"""Serializer fields that take JSON types at their word.

DRF's CharField turns ``0`` or ``true`` into ``"0"`` and ``"True"``. A client sending a
number where the contract says text has a bug, and hiding it stores nonsense in a journal;
these fields answer 400 instead, as the OpenAPI schema promises.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

from django.db.models import Model
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import extend_schema_field
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


class AwareDateTimeField(serializers.DateTimeField):
    """A moment with its offset from UTC, in ASCII digits: a time without one would be read in
    the server's zone, which is nobody's, and a session would be hours off for both people."""

    default_error_messages: ClassVar[dict[str, StrOrPromise]] = {
        "invalid": "A date and time in ISO 8601 with ASCII digits, such as 2026-12-08T10:00:00-06:00.",
        "naive": "A date and time with its offset from UTC, such as 2026-12-08T10:00:00-06:00.",
    }

    def to_internal_value(self, value: Any) -> datetime:
        # DRF's parser takes any script's digits (fullwidth, Arabic-Indic), as ``DateField`` says.
        if not isinstance(value, str) or not value.isascii():
            self.fail("invalid")
        try:
            parsed = parse_datetime(value)
        except ValueError:
            parsed = None  # the parent says what is wrong with it
        if parsed is not None and parsed.tzinfo is None:
            self.fail("naive")
        return super().to_internal_value(value)


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


#: 24-hour ``HH:MM`` in ASCII digits: not "7:00", not "07:00:00", not "24:00". Anchored for the
#: schema; checked with ``fullmatch``, since ``$`` alone takes "07:00\n" (a 500 from the parser).
LOCAL_TIME = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")


@extend_schema_field({"type": "string", "pattern": LOCAL_TIME.pattern, "example": "20:30"})
class LocalTimeField(serializers.Field[time, str, str, Any]):
    """A wall-clock time as exactly ``HH:MM``; Python's parsers take "7:00" and "07:00:00" too."""

    default_error_messages = {
        "invalid": "Not a valid string.",
        "invalid_time": "A time as HH:MM, 24-hour, from 00:00 to 23:59.",
    }

    def to_internal_value(self, data: Any) -> time:
        if not isinstance(data, str):
            self.fail("invalid")
        if not LOCAL_TIME.fullmatch(data):
            self.fail("invalid_time")
        return time.fromisoformat(data)

    def to_representation(self, value: time) -> str:
        return f"{value:%H:%M}"


class UniqueListField(serializers.ListField):
    """A list of distinct items, from one up to every possible one.

    Errors name the list (``attr: "weekdays"``), not an index, as ``TextListField`` does.
    """

    default_error_messages = {
        "item_invalid": "{detail}",
        "item_repeated": "{item} is in the list twice.",
    }

    def to_internal_value(self, data: Any) -> list[Any]:
        if not isinstance(data, list):
            return super().to_internal_value(data)  # DRF's "not_a_list"
        items = []
        for item in data:
            try:
                value = self.child.run_validation(item)
            except serializers.ValidationError as error:
                detail = cast(list[Any], error.detail)
                self.fail("item_invalid", detail=str(detail[0]) if detail else "Not a valid item.")
            if value in items:
                self.fail("item_repeated", item=value)
            items.append(value)
        return items


_WEEKDAYS_SCHEMA = {
    "type": "array",
    "items": {"type": "integer", "minimum": 1, "maximum": 7},
    "minItems": 1,
    "maxItems": 7,
    "uniqueItems": True,
    "example": [1, 2, 3, 4, 5],
}


@extend_schema_field(_WEEKDAYS_SCHEMA)
class WeekdaysField(UniqueListField):
    """ISO weekdays, each once, at least one; answered sorted."""

    min_days = 1

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "ISO weekdays, 1 = Monday; each once. Stored and answered sorted.")
        super().__init__(child=IntegerField(min_value=1, max_value=7), min_length=self.min_days, max_length=7, **kwargs)

    def to_internal_value(self, data: Any) -> list[Any]:
        return sorted(super().to_internal_value(data))


@extend_schema_field({**_WEEKDAYS_SCHEMA, "minItems": 0, "example": [2, 5]})
class PracticeDaysField(WeekdaysField):
    """A practice's days: empty when it is on no particular days (every day of its cadence)."""

    min_days = 0
