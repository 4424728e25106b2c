"""The sign-in form with its length limits enforced.

Django's AuthenticationForm sets the username's max_length after the field is built, so the limit only reaches the
HTML: a 10,000-character username went on to authenticate() and the lock-out's database record, which refused it
(500). Here both fields refuse what is too long, with a message, before anything looks the name up.
"""

from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator

# Longer than any password a person or a password manager uses; bounds the work of hashing a hostile one.
PASSWORD_MAX_LENGTH = 4096


class SignInForm(AuthenticationForm):
    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        username = self.fields["username"]
        username.validators.append(MaxLengthValidator(
            username.max_length, message=f"Enter a username of {username.max_length} characters or fewer"))
        password = self.fields["password"]
        password.max_length = PASSWORD_MAX_LENGTH
        password.validators.append(MaxLengthValidator(
            PASSWORD_MAX_LENGTH, message=f"Enter a password of {PASSWORD_MAX_LENGTH} characters or fewer"))
