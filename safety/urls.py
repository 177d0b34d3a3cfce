from django.urls import path

from safety import views

urlpatterns = [
    path("crisis-resources/", views.CrisisResourcesView.as_view(), name="crisis-resources"),
    path("check-ins/", views.CheckInView.as_view(), name="check-ins"),
]
