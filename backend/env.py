"""Reading configuration from the environment, refusing values that make no sense.

Every helper raises ``ImproperlyConfigured`` with the variable's name in the message, so a
typo in a deployment stops start-up with a sentence that says what to fix, instead of a
stack trace three imports deep or, worse, a silently wrong default.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
_RATE = re.compile(r"^\d+/(s|sec|second|m|min|minute|h|hour|d|day)$")


def get_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip()


def get_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {value!r}.")


def get_int(name: str, default: int, *, minimum: int = 1, maximum: int = 65535) -> int:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {value!r}.") from None
    if not minimum <= number <= maximum:
        raise ImproperlyConfigured(f"{name} must be between {minimum} and {maximum}; got {number}.")
    return number


def get_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    items = [item.strip() for item in value.split(",") if item.strip()]
    if not items:
        raise ImproperlyConfigured(f"{name} is set but lists nothing.")
    return items


def get_rate(name: str, default: str) -> str:
    value = get_str(name, default) or default
    if not _RATE.match(value):
        raise ImproperlyConfigured(f"{name} must look like '10/min' (a count per s, min, hour or day); got {value!r}.")
    return value


def get_url(name: str, schemes: set[str]) -> str | None:
    value = get_str(name)
    if not value:
        return None
    scheme = value.split("://", 1)[0] if "://" in value else ""
    if scheme not in schemes:
        raise ImproperlyConfigured(f"{name} must be a URL starting with one of {sorted(schemes)}; got {value!r}.")
    return value


def get_secret(
    name: str,
    *,
    debug: bool,
    var_dir: Path,
    generate: Callable[[], str],
    validate: Callable[[str], None] | None = None,
) -> str:
    """A secret from the environment, or, in development only, one generated once into ``var/``.

    Generating into a file (rather than per process) matters: the web server, the worker and
    beat must agree on the key, and a restart must still decrypt what was written before it.
    """
    value = get_str(name)
    if not value:
        if not debug:
            raise ImproperlyConfigured(f"{name} is required when DEBUG is off.")
        path = var_dir / name.lower()
        if not path.exists():
            var_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            # O_EXCL: when web, worker and beat start together only one of them writes the key.
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass
            else:
                with os.fdopen(fd, "w") as handle:
                    handle.write(generate())
        value = path.read_text().strip()
    if validate is not None:
        try:
            validate(value)
        except ValueError as error:
            raise ImproperlyConfigured(f"{name} is not valid: {error}") from None
    return value


def new_secret_key() -> str:
    return secrets.token_urlsafe(50)


def new_encryption_key() -> str:
    return secrets.token_urlsafe(32)


def validate_secret_key(value: str) -> None:
    if len(value) < 50 or len(set(value)) < 5:
        raise ValueError("it must be at least 50 characters long and not repetitive.")


def validate_encryption_keys(value: str) -> None:
    keys = [key.strip() for key in value.split(",")]
    if any(len(key) < 32 for key in keys):
        raise ValueError("each comma-separated key must be at least 32 characters long.")
    if len(set(keys)) != len(keys):
        raise ValueError("a key is listed twice.")
