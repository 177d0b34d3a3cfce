from django.apps import AppConfig


class PatientWebConfig(AppConfig):
    name = "patient_web"
    verbose_name = "The patient's app"
