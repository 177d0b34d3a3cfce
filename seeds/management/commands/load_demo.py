from django.core.management.base import BaseCommand
from django.utils import timezone

from seeds import demo, personas


class Command(BaseCommand):
    help = "Load the demo therapist and patient (the chef of T44); running it twice creates nothing twice."

    def handle(self, *args, **options):
        created = demo.load(now=timezone.now())
        made = ", ".join(f"{count} {name}" for name, count in created.items() if count) or "nothing new"
        self.stdout.write(f"Demo data loaded ({made}). Log in with:")
        for persona in personas.DEMO:
            self.stdout.write(f"  {persona.role:<9}  {persona.email}  password: {persona.password}")
