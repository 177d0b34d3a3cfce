"""Reading configuration from the environment, refusing values that make no sense.

Every helper raises ``ImproperlyConfigured`` with the variable's name in the message, so a
typo in a deployment stops start-up with a sentence that says what to fix, instead of a
stack trace three imports deep or, worse, a silently wrong default.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
import os
import re
import secrets
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import dj_email_url  # type: ignore[import-untyped]
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.exceptions import ImproperlyConfigured
from google.oauth2 import service_account
from py_vapid import Vapid  # type: ignore[import-untyped]

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
_RATE = re.compile(r"^\d+/(s|sec|second|m|min|minute|h|hour|d|day)$")
#: A host name, or ``*.`` and a name for any name under it; a last label of letters, so never an address.
_HOST_PATTERN = re.compile(r"(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?", re.ASCII)


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


def get_seconds(name: str, default: float, *, minimum: float, maximum: float) -> float:
    """A duration in seconds, whole or not ("20", "0.5")."""
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        seconds = float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number of seconds; got {value!r}.") from None
    if not minimum <= seconds <= maximum:  # False for nan, so nan is refused too
        raise ImproperlyConfigured(f"{name} must be between {minimum:g} and {maximum:g} seconds; got {value!r}.")
    return seconds


def get_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    items = [item.strip() for item in value.split(",") if item.strip()]
    if not items:
        raise ImproperlyConfigured(f"{name} is set but lists nothing.")
    return items


def get_host_patterns(name: str, default: list[str]) -> list[str]:
    """Host names (``push.example.com``, or ``*.example.com`` for any name under it), comma-separated."""
    patterns = [pattern.lower() for pattern in get_list(name, default)]
    for pattern in patterns:
        if not _HOST_PATTERN.fullmatch(pattern):
            raise ImproperlyConfigured(
                f"{name} must list host names or *.names (no scheme, port or address); got {pattern!r}."
            )
    return patterns


def get_service_account(name: str) -> dict[str, str] | None:
    """The Google service-account key file named by ``name`` (its JSON), checked as google-auth reads it."""
    path = get_str(name)
    if not path:
        return None
    try:
        info = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise ImproperlyConfigured(f"{name} names a file that cannot be read: {error.strerror or error}.") from None
    except ValueError:
        raise ImproperlyConfigured(f"{name} names a file that is not JSON: {path}.") from None
    if not isinstance(info, dict) or info.get("type") != "service_account":
        raise ImproperlyConfigured(f'{name} must be a service account\'s JSON key file ("type": "service_account").')
    missing = [key for key in ("project_id", "client_email", "private_key", "token_uri") if not info.get(key)]
    if missing:
        raise ImproperlyConfigured(f"{name}: the service account's file lacks {', '.join(missing)}.")
    try:
        service_account.Credentials.from_service_account_info(info)
    except (ValueError, TypeError) as error:  # a private key that does not load, a field of the wrong type
        raise ImproperlyConfigured(f"{name}: google-auth cannot use this service account: {error}") from None
    return {key: value for key, value in info.items() if isinstance(value, str)}


def url_host(url: str) -> str:
    """The URL's host name, lower-cased, without a final dot ("" if it has none)."""
    return (urlsplit(url).hostname or "").rstrip(".")


def get_base_url(name: str) -> str | None:
    """An http(s) base URL with a host, which paths are appended to; returned without a final slash."""
    value = get_url(name, {"http", "https"})
    if value is None:
        return None
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 -- a port that is not a number raises here
    except ValueError:
        raise ImproperlyConfigured(f"{name} is not a URL that parses; got {value!r}.") from None
    if not parts.hostname:
        raise ImproperlyConfigured(f"{name} must name a host, e.g. http://127.0.0.1:8080/v1; got {value!r}.")
    if "?" in value or "#" in value:
        raise ImproperlyConfigured(f"{name} is a base URL, paths are added to it: it takes no ? or #; got {value!r}.")
    if _metadata_service(parts.hostname):
        # This machine, the clinic's network or a public name all serve models; a cloud's
        # instance-metadata address serves credentials, and never a model.
        raise ImproperlyConfigured(f"{name} points at a cloud's instance-metadata service; got {value!r}.")
    return value.rstrip("/")


_METADATA_NAMES = frozenset({"metadata.google.internal", "metadata.goog", "metadata"})


def _metadata_service(host: str) -> bool:
    """A link-local address (169.254.0.0/16, fe80::/10: where clouds answer instance metadata,
    fd00:ec2::254 included) or a metadata service's name."""
    if host.rstrip(".").lower() in _METADATA_NAMES:
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]").split("%")[0])
    except ValueError:
        return False
    return address.is_link_local or address == ipaddress.ip_address("fd00:ec2::254")


def get_rate(name: str, default: str) -> str:
    value = get_str(name, default) or default
    if not _RATE.fullmatch(value):
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


def get_optional_secret(
    name: str,
    *,
    debug: bool,
    var_dir: Path,
    generate: Callable[[], str],
    validate: Callable[[str], None],
    required_because: str | None = None,
) -> str | None:
    """Like ``get_secret``, but a production without it simply goes without the feature.

    ``required_because`` names what makes it required after all (another variable that
    only works with this one), so a half configuration stops start-up instead of
    switching the feature off without a word.
    """
    if not get_str(name) and not debug:
        if required_because:
            raise ImproperlyConfigured(f"{name} is required when {required_because}.")
        return None
    return get_secret(name, debug=debug, var_dir=var_dir, generate=generate, validate=validate)


def get_checked(name: str, validate: Callable[[str], None], *, required_because: str | None = None) -> str | None:
    """An optional value that must pass ``validate`` when given (and must be given, when
    ``required_because`` says why)."""
    value = get_str(name)
    if not value:
        if required_because:
            raise ImproperlyConfigured(f"{name} is required when {required_because}.")
        return None
    try:
        validate(value)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} is not valid: {error}") from None
    return value


def get_secret_list(name: str, *, validate: Callable[[str], None], not_equal: dict[str, str]) -> list[str]:
    """Comma-separated secrets (old keys kept for what they signed), each passing ``validate``
    and none equal to the current one it backs up (``not_equal``: its name and value). Set
    but empty means none: what a deployment leaves once the old key is dropped."""
    values = get_list(name, []) if get_str(name) else []
    for value in values:
        try:
            validate(value)
        except ValueError as error:
            raise ImproperlyConfigured(f"{name} is not valid: {error}") from None
        for other, current in not_equal.items():
            if value == current:
                raise ImproperlyConfigured(f"{name} lists {other} itself: put only the old keys there.")
    return values


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


def validate_webhook_secret(value: str) -> None:
    """A Standard Webhooks secret: ``whsec_`` and base64 of 24 to 64 random bytes (the spec's range)."""
    if not value.startswith("whsec_"):
        raise ValueError("it must start with 'whsec_' followed by base64, as Standard Webhooks secrets do.")
    try:
        key = base64.b64decode(value.removeprefix("whsec_"), validate=True)
    except binascii.Error:
        raise ValueError("the part after 'whsec_' is not base64.") from None
    if not 24 <= len(key) <= 64:
        raise ValueError(f"it must encode 24 to 64 bytes; it encodes {len(key)}.")


def validate_bearer_token(value: str) -> None:
    """A token that can stand in an ``Authorization: Bearer`` header: visible ASCII, no spaces."""
    if not all("!" <= character <= "~" for character in value):
        raise ValueError("it must be printable ASCII with no spaces, as it goes in an Authorization header.")


def new_vapid_private_key() -> str:
    """A P-256 private key as its raw 32 bytes in unpadded base64url, the form web-push tools print."""
    number = ec.generate_private_key(ec.SECP256R1()).private_numbers().private_value
    return base64.urlsafe_b64encode(number.to_bytes(32, "big")).rstrip(b"=").decode()


def validate_vapid_private_key(value: str) -> None:
    # py_vapid is what signs with the key, so it is the judge of the forms it accepts (raw or DER).
    try:
        key = Vapid.from_string(value).private_key
    except Exception:  # py_vapid raises binascii, cryptography and its own errors alike.
        key = None
    if not (isinstance(key, ec.EllipticCurvePrivateKey) and isinstance(key.curve, ec.SECP256R1)):
        raise ValueError("it must be a P-256 private key, raw (32 bytes) or DER, in base64url.")


def validate_vapid_subject(value: str) -> None:
    if not (value.startswith("mailto:") and "@" in value) and not value.startswith("https://"):
        raise ValueError("it must be a 'mailto:' address or an 'https://' URL where push services can reach you.")


EMAIL_SCHEMES = {"smtp", "smtps", "submission", "console"}
#: Django's SMTP backend waits forever by default; a reminder worker must not.
EMAIL_TIMEOUT_SECONDS = 5


@dataclass(frozen=True)
class EmailSettings:
    """Django's ``EMAIL_*`` settings, as one ``EMAIL_URL`` gives them."""

    backend: str
    host: str
    port: int
    user: str
    password: str
    use_tls: bool
    use_ssl: bool
    timeout: int

    def as_django(self) -> dict[str, object]:
        return {
            "EMAIL_BACKEND": self.backend,
            "EMAIL_HOST": self.host,
            "EMAIL_PORT": self.port,
            "EMAIL_HOST_USER": self.user,
            "EMAIL_HOST_PASSWORD": self.password,
            "EMAIL_USE_TLS": self.use_tls,
            "EMAIL_USE_SSL": self.use_ssl,
            "EMAIL_TIMEOUT": self.timeout,
        }


def parse_email_url(name: str, url: str) -> EmailSettings:
    """``EMAIL_URL`` read by dj-email-url, with two rules of our own that README has always promised.

    dj-email-url reads ``smtps://`` as STARTTLS and warns it away; here it means implicit TLS
    (port 465 unless given), and ``smtp://`` on port 587 uses STARTTLS, so an existing URL
    never silently sends its password in the clear. ``?ssl=1``, ``?tls=1`` and ``?timeout=``
    still decide when given. A URL without a host is refused rather than read as localhost.
    """
    parts = urlsplit(url)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            conf = dj_email_url.parse(url)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} is not a valid e-mail URL: {error}.") from None
    if parts.scheme == "console":
        return EmailSettings(conf["EMAIL_BACKEND"], "", 0, "", "", False, False, EMAIL_TIMEOUT_SECONDS)
    if not parts.hostname:
        raise ImproperlyConfigured(f"{name} must name a host, e.g. smtp://user:password@mail.example.com:587.")
    query = parse_qs(parts.query)
    use_tls, use_ssl, port = bool(conf["EMAIL_USE_TLS"]), bool(conf["EMAIL_USE_SSL"]), conf["EMAIL_PORT"]
    if "ssl" not in query and "tls" not in query:
        if parts.scheme == "smtps":
            use_tls, use_ssl, port = False, True, port or 465
        elif parts.scheme == "smtp" and port == 587:
            use_tls = True
    return EmailSettings(
        backend=conf["EMAIL_BACKEND"],
        host=conf["EMAIL_HOST"],
        port=port,
        user=conf["EMAIL_HOST_USER"] or "",
        password=conf["EMAIL_HOST_PASSWORD"] or "",
        use_tls=use_tls,
        use_ssl=use_ssl,
        timeout=conf["EMAIL_TIMEOUT"] or EMAIL_TIMEOUT_SECONDS,
    )
