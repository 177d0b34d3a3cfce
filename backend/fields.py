"""Serializer fields that take JSON types at their word.

DRF's CharField turns ``0`` or ``true`` into ``"0"`` and ``"True"``. A client sending a
number where the contract says text has a bug, and hiding it stores nonsense in a journal;
these fields answer 400 instead, as the OpenAPI schema promises.
"""

from __future__ import annotations

from rest_framework import serializers


class StrictTextMixin:
    default_error_messages = {"invalid": "Not a valid string."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class CharField(StrictTextMixin, serializers.CharField):
    pass


class EmailField(StrictTextMixin, serializers.EmailField):
    pass


class ModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer whose generated text fields are strict too."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        **{
            model_field: CharField
            for model_field, field in serializers.ModelSerializer.serializer_field_mapping.items()
            if field is serializers.CharField
        },
    }


class BooleanField(serializers.BooleanField):
    """Only JSON ``true`` and ``false``: ``"no"`` or ``0`` for a privacy switch is a client bug."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data
