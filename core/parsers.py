"""JSON as the contract means it, refused at the door so that no field can forget.

Python's ``json`` accepts things that are not text: a lone UTF-16 surrogate (``"\\ud800"``)
decodes to a ``str`` that cannot be encoded again, so it would be stored and then break
every later read of that record; a NUL truncates text in PostgreSQL. Deep nesting makes
the decoder recurse until it crashes. Each answers 400 here, before any view runs, and a
body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` answers 413 (``core.middleware`` refuses an
announced one before sign-in; this catches one sent without a length).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser

from core.input import is_text

#: Containers inside containers, the body itself counting as one.
MAX_DEPTH = 32


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The body is larger than this server accepts."
    default_code = "request_too_large"


class NotText(ParseError):
    default_detail = "The body holds a string that is not text: a lone UTF-16 surrogate, or a NUL."
    default_code = "parse_error"  # the schema's one code for a body that cannot be read


class TooDeep(ParseError):
    default_detail = f"The body is nested deeper than {MAX_DEPTH} levels."
    default_code = "parse_error"


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def check_document(data: Any) -> None:
    """Refuse a parsed document with a string that is not text, or nested too deep.

    Iterative, so a hostile document cannot exhaust the stack here either.
    """
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if not is_text(value):
                raise NotText()
        elif isinstance(value, Mapping | list):
            if depth > MAX_DEPTH:
                raise TooDeep()
            if isinstance(value, Mapping):
                for key, item in value.items():
                    if not is_text(key):
                        raise NotText()
                    stack.append((item, depth + 1))
            else:
                stack.extend((item, depth + 1) for item in value)


class StrictJSONParser(JSONParser):
    def parse(self, stream: IO[bytes], media_type: str | None = None, parser_context: Any = None) -> Any:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(raw) > limit:
            raise RequestTooLarge()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ParseError("The body is not UTF-8 text.") from None
        try:
            data = json.loads(text, parse_constant=_refuse_constant)
        except RecursionError:
            raise TooDeep() from None
        except ValueError as error:
            raise ParseError(f"The body is not JSON: {error}.") from None
        check_document(data)
        return data
