from django.urls import path
from rest_framework.routers import SimpleRouter

from reminders import views

router = SimpleRouter()
router.register("reminders", views.ReminderViewSet, basename="reminder")
router.register("devices", views.DeviceViewSet, basename="device")

urlpatterns = [
    path("reminders/settings/", views.ReminderSettingsView.as_view(), name="reminder-settings"),
    path("reminders/deliveries/", views.DeliveryListView.as_view(), name="reminder-deliveries"),
    path("devices/web-push/", views.WebPushKeyView.as_view(), name="web-push-key"),
    *router.urls,
]
