"""The dashboard's "Forgot your password?": ask for the e-mail, then set a new password from its link.

Both go through the API's rules (``accounts``): the request draws on the same throttles, the
mail is sent by the same task to any address alike, and the new password is set by the same
service, which ends every refresh token and dashboard session of the account.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts import services
from accounts.auth import password_reset_refused
from accounts.exceptions import ResetLinkNotValid
from accounts.tasks import password_reset_mail
from dashboard.forms import LINK_NOT_VALID, RESET_THROTTLED, NewPasswordForm, PasswordForgottenForm

#: The query the sign-in page reads to say the password was set.
PASSWORD_SET = "password-set"


@require_http_methods(["GET", "POST"])
def password_forgotten(request: HttpRequest) -> HttpResponse:
    form = PasswordForgottenForm(data=request.POST if request.method == "POST" else None)
    context: dict[str, object] = {"form": form, "sent": False, "problem": ""}
    status = 200
    if request.method == "POST":
        if password_reset_refused(request, email=request.POST.get("email"), now=timezone.now()) is not None:
            context["problem"], status = RESET_THROTTLED, 429
        elif form.is_valid():
            password_reset_mail.delay(form.cleaned_data["email"])  # whatever the address: tasks.py says why
            context["sent"] = True
        else:
            status = 400
    return render(request, "dashboard/password_forgotten.html", context, status=status)


@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest, uid: str, token: str) -> HttpResponse:
    if services.password_reset_user(uid=uid, token=token) is None:
        return render(request, "dashboard/password_reset.html", {"problem": LINK_NOT_VALID}, status=400)
    form = NewPasswordForm(data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_reset_confirm(uid=uid, token=token, new_password=form.cleaned_data["new_password"])
        except ResetLinkNotValid:
            return render(request, "dashboard/password_reset.html", {"problem": LINK_NOT_VALID}, status=400)
        except ValidationError as error:
            for message in error.message_dict.get("new_password", error.messages):
                form.add_error("new_password", message)
        else:
            return redirect(f"{reverse('dashboard:sign-in')}?{PASSWORD_SET}=1")
    status = 400 if request.method == "POST" else 200
    return render(request, "dashboard/password_reset.html", {"form": form}, status=status)
