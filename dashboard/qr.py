"""QR codes the dashboard draws: the second factor's enrolment (with the key to type) and an
invite's join link. The rules of the second factor are ``accounts.two_factor``'s."""

from __future__ import annotations

from base64 import b32encode

import segno
from django.utils.safestring import SafeString, mark_safe

from accounts.models import AuthenticatorApp


def qr_code_svg(device: AuthenticatorApp) -> SafeString:
    """The ``otpauth://`` address as an SVG drawn here, to be written into the page.

    Inline rather than an ``<img>``: the secret never travels in a second request or a URL,
    and the strict policy needs no ``data:`` source. segno draws with presentation attributes
    (``stroke``), never a ``style`` attribute, which the policy would refuse.
    """
    svg = segno.make(device.config_url, error="m").svg_inline(
        scale=4, border=2, omitsize=True, title="QR code for your authenticator app", svgclass="qr-code"
    )
    return mark_safe(svg)  # noqa: S308  # drawn by segno from our own data, no user text in it


def join_link_svg(join_link: str) -> SafeString:
    """An invite's join link as a QR code, drawn as the authenticator's is: a patient points
    their phone's camera at the screen and lands on the join screen with the code filled in.
    Inline for the same reasons: the code travels in no second request, and no ``style``."""
    svg = segno.make(join_link, error="m").svg_inline(
        scale=4, border=2, omitsize=True, title="QR code of the join link", svgclass="qr-code"
    )
    return mark_safe(svg)  # noqa: S308  # drawn by segno from our own address and code


def secret_for_typing(device: AuthenticatorApp) -> str:
    """The key as an app asks for it when the camera is not an option: base32, in fours."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
