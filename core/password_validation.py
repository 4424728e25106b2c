"""Password validators of our own (AUTH_PASSWORD_VALIDATORS)."""

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError


class NotCurrentPasswordValidator:
    """A new password must differ from the user's current one (a "change" that keeps it changes nothing)."""

    def validate(self, password, user=None):
        current = getattr(user, "password", None)
        # hashers.check_password compares only: User.check_password could also re-hash and save the current one.
        if current and check_password(password, current):
            raise ValidationError("Your new password must be different from your current password.",
                                  code="password_unchanged")

    def get_help_text(self):
        return "Your new password must be different from your current password."
