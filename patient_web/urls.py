from django.urls import path, re_path

from patient_web import views

urlpatterns = [
    path("sw.js", views.service_worker, name="patient-web-worker"),
    path("", views.app, name="patient-web"),
    # A screen, and what its path carries: a join code, or a reset link's account and token.
    re_path(r"^(?P<path>[a-z-]+(?:/[A-Za-z0-9_-]{1,64}){0,2})$", views.app),
]
