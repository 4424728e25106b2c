from django.apps import AppConfig


class PeopleConfig(AppConfig):
    """People and sign-in: organisations manage their own people (invitations, memberships, roles, deactivation,
    the adviser pool), and people sign in with a password or their NHS identity (OpenID Connect), recover a
    forgotten password and keep two-factor recovery codes."""

    name = "people"
    verbose_name = "People and sign-in"
