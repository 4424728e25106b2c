"""Derive every practice's level of support from its special-measures episodes (an existing database, the demo)."""

from django.core.management.base import BaseCommand

from levels.services import levels_derive


class Command(BaseCommand):
    help = "Derive practices' levels of support: Rescue while in special measures, else the level set by hand."

    def handle(self, *args, **options):
        changed = levels_derive()
        self.stdout.write(f"Levels derived: {changed} practice{'' if changed == 1 else 's'} changed.")
