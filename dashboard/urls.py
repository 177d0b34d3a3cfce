from django.urls import path

from dashboard import sessions, views

app_name = "dashboard"

urlpatterns = [
    path("", views.roster, name="roster"),
    path("sign-in/", views.sign_in, name="sign-in"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("patients/<uuid:patient_id>/", views.patient, name="patient"),
    path("patients/<uuid:patient_id>/brief/", views.brief, name="brief"),
]

# Sessions and invites (dashboard/sessions.py).
urlpatterns += [
    path("patients/<uuid:patient_id>/sessions/new/", sessions.session_new, name="session-new"),
    path("sessions/<uuid:session_id>/", sessions.session_page, name="session"),
    path("sessions/<uuid:session_id>/drafts/<uuid:commitment_id>/confirm/", sessions.draft_confirm, name="draft-ok"),
    path("sessions/<uuid:session_id>/drafts/<uuid:commitment_id>/edit/", sessions.draft_edit, name="draft-edit"),
    path("sessions/<uuid:session_id>/drafts/<uuid:commitment_id>/drop/", sessions.draft_drop, name="draft-drop"),
    path("invites/", sessions.invite_new, name="invite"),
]
