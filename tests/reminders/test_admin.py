import pytest

from reminders.models import Delivery, Device, Reminder, ReminderSettings
from reminders.services import settings_put
from tests.factories import DeliveryFactory, DeviceFactory, PatientFactory, ReminderFactory, TherapistFactory

pytestmark = pytest.mark.django_db

TOKEN = "fcm-secret-token-that-addresses-a-phone-" + "q" * 100


@pytest.fixture
def staff(client):
    client.force_login(TherapistFactory(is_staff=True, is_superuser=True))
    return client


def test_staff_find_a_patients_reminders_deliveries_devices_and_settings_by_email(staff, chef, django_user_model):
    reminder = ReminderFactory(patient=chef)
    DeliveryFactory(reminder=reminder)
    DeviceFactory(user=chef, token=TOKEN)
    settings_put(patient=chef, now=reminder.created_at, quiet_start=None, quiet_end=None)
    someone_else = PatientFactory(email="someone.else@example.test")
    ReminderFactory(patient=someone_else)
    DeviceFactory(user=someone_else)
    for model in (Reminder, Delivery, Device, ReminderSettings):
        base = f"/admin/reminders/{model._meta.model_name}/"
        listing = staff.get(base, {"q": chef.email})
        assert listing.status_code == 200, model
        page = listing.content.decode()
        assert chef.email in page or str(chef) in page, model
        assert "someone.else@example.test" not in page, model
        record = model.objects.filter(**{"user" if model is Device else "patient": chef}).get()
        detail = staff.get(f"{base}{record.pk}/change/")
        assert detail.status_code == 200
        assert TOKEN[:20] not in page + detail.content.decode(), model


def test_staff_change_nothing_here_but_may_forget_a_device(staff, chef):
    reminder = ReminderFactory(patient=chef)
    device = DeviceFactory(user=chef)
    delivery = DeliveryFactory(reminder=reminder)
    assert staff.get("/admin/reminders/reminder/add/").status_code == 403
    assert staff.get(f"/admin/reminders/delivery/{delivery.pk}/delete/").status_code == 403
    staff.post(f"/admin/reminders/reminder/{reminder.pk}/change/", {"enabled": ""})
    assert Reminder.objects.get().enabled is True
    response = staff.post(f"/admin/reminders/device/{device.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Device.objects.exists()
