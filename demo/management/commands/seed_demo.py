from django.conf import settings
from django.core.management.base import BaseCommand

from demo.data import seed_demo


class Command(BaseCommand):
    help = "Load demo organisations, practices, CQC inspections and one user per role (idempotent)."

    def handle(self, *args, **options):
        logins = seed_demo(log=self.stdout.write)
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password: {settings.DEMO_PASSWORD}):")
        width = max(len(login.username) for login in logins)
        for login in logins:
            self.stdout.write(f"  {login.username.ljust(width)}  {login.role} – {login.organisation}")
