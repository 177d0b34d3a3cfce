from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from core.health import healthz, reminders_health
from patient_web.views import home

api_v1 = [
    path("", include("accounts.urls")),
    path("", include("journal.urls")),
    path("", include("reminders.urls")),
    path("", include("care.urls")),
    path("", include("safety.urls")),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("healthz/reminders", reminders_health, name="healthz-reminders"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("app/", include("dashboard.urls")),
    path("journal/", include("patient_web.urls")),
    path("", home, name="home"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
]

# Under /app/ the dashboard's own 404 page (it keeps the dashboard's look); Django's elsewhere.
handler404 = "dashboard.views.not_found"

# Django's own error pages stay for non-API paths; under /api/ the outermost middleware
# (core.middleware.ApiResponseMiddleware) answers every error in the contract's JSON body.
