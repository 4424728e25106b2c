from django.core.management.base import BaseCommand, CommandError

from core.api_tokens import api_token_create
from core.errors import DomainError
from core.models import User


class Command(BaseCommand):
    help = ("Make a REST API token for a user and print it once (only its hash is stored). "
            "Use it as `Authorization: Token <token>`; its owner or RCGP admin revokes it on the API tokens page.")

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--expires-days", type=int, default=None,
                            help="the token stops working after this many days (default: API_TOKEN_DAYS, 90)")
        parser.add_argument("--name", default="", help="what the token is for, shown in the admin")

    def handle(self, *args, **options):
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user {options['username']!r}.")
        try:
            token, key = api_token_create(owner=user, name=options["name"], days=options["expires_days"],
                                          actor=None)
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        until = f"until {token.expires_at:%Y-%m-%d %H:%M %Z}"
        self.stderr.write(f"API token {token.prefix}… for {user.username} ({user.get_role_display() or 'no role'}), "
                          f"valid {until}. It is shown only this once:")
        self.stdout.write(key)
