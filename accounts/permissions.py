from rest_framework.permissions import BasePermission

from accounts.models import Role


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
