from django.urls import path
from rest_framework.routers import SimpleRouter

from reminders import views

router = SimpleRouter()
router.register("reminders", views.ReminderViewSet, basename="reminder")
router.register("devices", views.DeviceViewSet, basename="device")

urlpatterns = [
    path("reminders/settings/", views.ReminderSettingsView.as_view(), name="reminder-settings"),
    path("reminders/deliveries/", views.DeliveryListView.as_view(), name="reminder-deliveries"),
    *router.urls,
]
