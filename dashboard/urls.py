from django.urls import path

from dashboard import auth_views, invites, next_session, password_views, practices, roster, sessions, views

app_name = "dashboard"

urlpatterns = [
    path("", roster.roster, name="roster"),
    path("sign-in/", auth_views.sign_in, name="sign-in"),
    path("sign-in/code/", auth_views.sign_in_code, name="sign-in-code"),
    path("sign-out/", auth_views.sign_out, name="sign-out"),
    path("password/forgotten/", password_views.password_forgotten, name="password-forgotten"),
    path("reset/<str:uid>/<str:token>/", password_views.password_reset, name="password-reset"),
    path("two-step/", auth_views.two_step, name="two-step"),
    path("two-step/set-up/", auth_views.two_step_set_up, name="two-step-set-up"),
    path("two-step/confirm/", auth_views.two_step_confirm, name="two-step-confirm"),
    path("two-step/recovery-codes/", auth_views.two_step_recovery_codes, name="two-step-recovery-codes"),
    path("two-step/off/", auth_views.two_step_off, name="two-step-off"),
    path("patients/<uuid:patient_id>/", views.patient, name="patient"),
    path("patients/<uuid:patient_id>/brief/", views.brief, name="brief"),
    path("patients/<uuid:patient_id>/flags/<uuid:flag_id>/seen/", views.flag_seen, name="flag-seen"),
    path("patients/<uuid:patient_id>/next-session/", next_session.next_session, name="next-session"),
]

# Sessions and invites (dashboard/sessions.py).
urlpatterns += [
    path("patients/<uuid:patient_id>/sessions/new/", sessions.session_new, name="session-new"),
    path("sessions/<uuid:session_id>/", sessions.session_page, name="session"),
    path("sessions/<uuid:session_id>/drafts/<uuid:commitment_id>/confirm/", sessions.draft_confirm, name="draft-ok"),
    path("sessions/<uuid:session_id>/drafts/<uuid:commitment_id>/edit/", sessions.draft_edit, name="draft-edit"),
    path("sessions/<uuid:session_id>/drafts/<uuid:commitment_id>/drop/", sessions.draft_drop, name="draft-drop"),
    path("sessions/<uuid:session_id>/edit/", sessions.session_edit, name="session-edit"),
    path("sessions/<uuid:session_id>/delete/", sessions.session_delete, name="session-delete"),
]

# Invites (dashboard/invites.py): the open ones and a new one; one invite's page; taking one back.
urlpatterns += [
    path("invites/", invites.invites, name="invite"),
    path("invites/<uuid:invite_id>/", invites.invite_page, name="invite-page"),
    path("invites/<uuid:invite_id>/cancel/", invites.invite_cancel, name="invite-cancel"),
]

# A patient's practices by the therapist's hand (dashboard/practices.py).
urlpatterns += [
    path("patients/<uuid:patient_id>/practices/new/", practices.practice_new, name="practice-new"),
    path("patients/<uuid:patient_id>/practices/<uuid:commitment_id>/", practices.practice_edit, name="practice-edit"),
    path(
        "patients/<uuid:patient_id>/practices/<uuid:commitment_id>/status/",
        practices.practice_status,
        name="practice-status",
    ),
]
