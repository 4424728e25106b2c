"""Forms of the account pages (forgotten password, switching membership): fields and their messages only."""

from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.core.validators import MaxLengthValidator

from core.forms import Form, NhsErrorMessages
from core.login_form import PASSWORD_MAX_LENGTH


class PasswordResetRequestForm(Form):
    email = forms.EmailField(
        label="Email address", max_length=254,
        help_text="The email address your Practice Resilience account uses.",
        error_messages={"required": "Enter your email address",
                        "invalid": "Enter an email address in the correct format, like name@example.nhs.uk",
                        "max_length": "Enter an email address of 254 characters or fewer"})


class NewPasswordForm(NhsErrorMessages, SetPasswordForm):
    """The new password, twice, checked by Django's password validators (settings.AUTH_PASSWORD_VALIDATORS)."""

    error_messages = {"password_mismatch": "Enter the same new password twice"}
    error_subjects = {"new_password1": "your new password", "new_password2": "your new password again"}

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        first, second = self.fields["new_password1"], self.fields["new_password2"]
        first.label, second.label = "New password", "Confirm new password"
        first.help_text = second.help_text = ""
        for field in (first, second):
            field.max_length = PASSWORD_MAX_LENGTH
            field.validators.append(MaxLengthValidator(
                PASSWORD_MAX_LENGTH, message=f"Enter a password of {PASSWORD_MAX_LENGTH} characters or fewer"))


class SwitchMembershipForm(Form):
    membership = forms.IntegerField(widget=forms.HiddenInput, min_value=1,
                                    error_messages={"required": "Choose the membership to use",
                                                    "invalid": "Choose the membership to use"})
