"""What every serializer that takes a request body shares.

DRF ignores a key no field takes, and one a read-only field shows: ``PATCH /me/`` with
``password`` answered 200 and changed nothing, so the client believed it had. DRF leaves
strictness to each project (encode/django-rest-framework#4086), so it lives here, once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

if TYPE_CHECKING:
    # What the mixin is mixed into, for the type checker; at run time it stands alone.
    _Serializer = serializers.Serializer[Any]
else:
    _Serializer = object

#: The one code for a key a write may not send, whether no field has that name or the field is
#: read-only; ``attr`` names it.
UNKNOWN_FIELD = "unknown_field"


class KnownFieldsOnly(_Serializer):
    """A write names only the fields it may write: any other key is a 400 ``unknown_field``
    naming it, before any field is read.

    Read-only fields (``id``, ``version``, ``created_at``...) are refused too, even when
    echoed with the value they hold: the request schemas leave them out, so a generated client
    never sends them, and accepting an echo would make a changed ``version`` or ``id`` look
    like a write that happened. A nested serializer using this refuses its own unknown keys.
    """

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            refused = {
                str(key): [
                    ErrorDetail(
                        "This field is read-only: leave it out of the request."
                        if key in self.fields
                        else "Unknown field: this request does not take it.",
                        code=UNKNOWN_FIELD,
                    )
                ]
                for key in data
                if key not in writable
            }
            if refused:
                raise serializers.ValidationError(refused)
        return super().to_internal_value(data)
