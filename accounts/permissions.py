from urllib.parse import urlsplit

from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from accounts.models import Role, User


def signed_in_user(request: Request) -> User:
    """The user of a request that passed a view's permissions, every one of which requires a sign-in."""
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated()
    return user


class _HasRole(BasePermission):
    role: str

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.role == self.role)


class IsPatient(_HasRole):
    role = Role.PATIENT
    message = "Only a patient can do this."


class IsTherapist(_HasRole):
    role = Role.THERAPIST
    message = "Only a therapist can do this."


class SameOriginOnly(BasePermission):
    """Refuses a request another site's page started: ``Sec-Fetch-Site: cross-site``, or an
    ``Origin`` that is not this host (``null`` included). A request with neither header (a
    native app, curl, the test client) goes through.

    For the web app's cookie doors, as defence in depth: ``SameSite=Strict`` already keeps
    the browser from sending the cookie along, and the JSON-only parser refuses a form's body.
    """

    message = "This call is refused when another site's page makes it."
    code = "cross_site"

    def has_permission(self, request, view) -> bool:
        if request.headers.get("Sec-Fetch-Site", "").strip().lower() == "cross-site":
            return False
        origin = request.headers.get("Origin")
        if origin is None:
            return True
        try:
            host = urlsplit(origin.strip()).netloc
        except ValueError:  # not a URL at all ("http://[::1")
            return False
        return host.lower() == request.get_host().lower()
