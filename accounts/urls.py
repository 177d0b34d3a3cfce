from django.urls import path
from rest_framework.routers import SimpleRouter

from accounts import views

router = SimpleRouter()
router.register("care-links", views.CareLinkViewSet, basename="care-link")

urlpatterns = [
    path("auth/register/", views.RegisterView.as_view(), name="register"),
    path("auth/token/", views.TokenView.as_view(), name="token"),
    path("auth/token/refresh/", views.RefreshView.as_view(), name="token-refresh"),
    path("auth/logout/", views.LogoutView.as_view(), name="logout"),
    path("auth/logout-everywhere/", views.LogoutEverywhereView.as_view(), name="logout-everywhere"),
    path("auth/password/change/", views.PasswordChangeView.as_view(), name="password-change"),
    path("auth/password/reset/", views.PasswordResetView.as_view(), name="password-reset"),
    path("auth/password/reset/confirm/", views.PasswordResetConfirmView.as_view(), name="password-reset-confirm"),
    # The patient's web app: the refresh token in a cookie under auth/web/ (accounts/cookies.py).
    path("auth/web/token/", views.WebTokenView.as_view(), name="web-token"),
    path("auth/web/token/refresh/", views.WebRefreshView.as_view(), name="web-token-refresh"),
    path("auth/web/logout/", views.WebLogoutView.as_view(), name="web-logout"),
    path("me/", views.MeView.as_view(), name="me"),
    path("me/export/", views.ExportView.as_view(), name="me-export"),
    path("invites/", views.InviteView.as_view(), name="invites"),
    *router.urls,
]
