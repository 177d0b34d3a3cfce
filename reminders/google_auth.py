"""Google's OAuth 2.0 for FCM: a service account's credentials, google-auth's transport over ours.

google-auth signs the JWT grant, asks ``token_uri`` for an access token and keeps it until it
is about to expire; these pieces give it one credentials object per service account and process
(``credentials``), and a ``Request`` that goes through the send's own httpx client, so fetching
a token shares the send's deadline. The channel maps google-auth's errors to its own words.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

import google.auth.exceptions
import google.auth.transport
import httpx
from google.oauth2 import service_account

SCOPES = ("https://www.googleapis.com/auth/firebase.messaging",)


_credentials: dict[tuple[str, str, str], service_account.Credentials] = {}
_credentials_lock = threading.Lock()


def credentials(account: Mapping[str, str]) -> service_account.Credentials:
    """One credentials object per service account and process, so its access token (an hour
    long) is fetched once and reused by every send until google-auth finds it no longer valid."""
    key = (account["client_email"], account.get("private_key_id", ""), account["token_uri"])
    with _credentials_lock:
        if key not in _credentials:
            _credentials[key] = service_account.Credentials.from_service_account_info(account, scopes=SCOPES)
        return _credentials[key]


class Response(google.auth.transport.Response):
    def __init__(self, response: httpx.Response) -> None:
        self._response = response

    @property
    def status(self) -> int:
        return self._response.status_code

    @property
    def headers(self) -> Mapping[str, str]:
        return self._response.headers

    @property
    def data(self) -> bytes:
        return self._response.content


class Request(google.auth.transport.Request):
    """google-auth's transport interface over our client, so fetching a token shares the
    send's deadline (google-auth's own requests transport waits up to 120 s)."""

    def __init__(self, http: httpx.Client) -> None:
        self._http = http

    def __call__(
        self,
        url: str,
        method: str = "GET",
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        **kwargs: Any,
    ) -> Response:
        try:
            response = self._http.request(method, url, content=body, headers=headers)
        except httpx.HTTPError as error:
            raise google.auth.exceptions.TransportError(f"{url} could not be reached: {error!r}") from error
        if response.status_code >= 500 or response.status_code in (408, 429):
            # google-auth would sleep and ask again, inside the worker; retries and their
            # backoff belong to the send service, so a busy token endpoint ends this send.
            raise google.auth.exceptions.TransportError(f"{url} answered {response.status_code}.")
        return Response(response)
