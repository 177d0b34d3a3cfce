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
