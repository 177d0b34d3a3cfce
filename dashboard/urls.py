from django.urls import path

from dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.roster, name="roster"),
    path("sign-in/", views.sign_in, name="sign-in"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("patients/<uuid:patient_id>/", views.patient, name="patient"),
    path("patients/<uuid:patient_id>/brief/", views.brief, name="brief"),
]
