from django.urls import path
from rest_framework.routers import SimpleRouter

from journal import views

router = SimpleRouter()
router.register("commitments", views.CommitmentViewSet, basename="commitment")
router.register("reflections", views.ReflectionViewSet, basename="reflection")
router.register("pride-entries", views.PrideEntryViewSet, basename="pride-entry")
router.register("experiments", views.ExperimentViewSet, basename="experiment")

urlpatterns = [
    path("sync/", views.SyncView.as_view(), name="sync"),
    path("progress/", views.ProgressView.as_view(), name="progress"),
    *router.urls,
]
