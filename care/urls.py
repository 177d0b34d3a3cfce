from django.urls import path

from care import views

urlpatterns = [
    path("patients/", views.RosterView.as_view(), name="patients"),
    path("patients/<uuid:patient_id>/", views.PatientView.as_view(), name="patient"),
    path("patients/<uuid:patient_id>/flags/<uuid:flag_id>/seen/", views.FlagSeenView.as_view(), name="flag-seen"),
    path("patients/<uuid:patient_id>/next-session/", views.NextSessionView.as_view(), name="next-session"),
    path("patients/<uuid:patient_id>/progress/", views.PatientProgressView.as_view(), name="patient-progress"),
    path("patients/<uuid:patient_id>/entries/", views.PatientEntriesView.as_view(), name="patient-entries"),
    path("patients/<uuid:patient_id>/brief/", views.PatientBriefView.as_view(), name="patient-brief"),
    path("sessions/", views.SessionsView.as_view(), name="sessions"),
    path("sessions/<uuid:id>/", views.SessionView.as_view(), name="session"),
    path("me/access-log/", views.AccessLogView.as_view(), name="access-log"),
]
