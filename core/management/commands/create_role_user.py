from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from core.roles import Role
from core.services import membership_grant, user_upsert


class Command(BaseCommand):
    help = ("Create (or update) a user with a role, tied to its organisation; with --also, give an existing user "
            "another membership.")

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--org", help="commissioner or practice ODS code; region code (Y56-Y63) for nhse_regional")
        parser.add_argument("--password", help="without it the account cannot log in until a password is set")
        parser.add_argument("--email", default="")
        parser.add_argument("--also", action="store_true",
                            help="add this role at this organisation to the user's memberships, keeping the others")
        parser.add_argument("--manages-people", action="store_true",
                            help="with an NHS England role: this membership manages NHS England's people")

    def handle(self, *args, **options):
        if options["also"]:
            try:
                membership = membership_grant(username=options["username"], role=options["role"],
                                              org_code=options["org"], manages_people=options["manages_people"])
            except DomainError as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(f"Added to {options['username']}: {membership.get_role_display()} at "
                              f"{membership.organisation}")
            return
        try:
            user, created = user_upsert(username=options["username"], role=options["role"], org_code=options["org"],
                                        password=options["password"], email=options["email"],
                                        manages_people=options["manages_people"])
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        verb = "Created" if created else "Updated"
        self.stdout.write(f"{verb} {user.username}: {user.get_role_display()} at {user.organisation}")
