"""Forms of the people pages: fields and their messages only (the rules are in people/services.py)."""

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from core.forms import Form
from core.models import User
from core.regions import Region
from core.roles import Role

OUT_OF_DATE = {"required": "The page was out of date: look at it again and try again",
               "invalid": "The page was out of date: look at it again and try again"}


def _version():
    return forms.CharField(widget=forms.HiddenInput, max_length=40, error_messages=OUT_OF_DATE)


class InviteForm(Form):
    email = forms.EmailField(label="E-mail address", max_length=254,
                             error_messages={"required": "Enter the e-mail address of the person to invite",
                                             "invalid": "Enter an e-mail address in the right format, like "
                                                        "name@example.nhs.uk"},
                             help_text="Their work e-mail address: the invitation is sent there.")
    role = forms.ChoiceField(label="Role", widget=forms.RadioSelect,
                             error_messages={"required": "Select the role", "invalid_choice": "Select the role"})
    region = forms.ChoiceField(label="Region (NHS England regional team only)", required=False,
                               choices=[("", "Not a regional team"), *Region.choices])
    manages_people = forms.BooleanField(label="They manage NHS England's people (invite, change roles, deactivate)",
                                        required=False)

    def __init__(self, *args, roles, nhse=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(role, Role(role).label) for role in roles]
        if not nhse:
            del self.fields["region"]
            del self.fields["manages_people"]


class VersionForm(Form):
    """A button that changes a record: the version the page showed."""

    version = _version()


class RoleChangeForm(Form):
    membership = forms.IntegerField(widget=forms.HiddenInput, error_messages=OUT_OF_DATE)
    role = forms.ChoiceField(label="New role", widget=forms.RadioSelect,
                             error_messages={"required": "Select the new role",
                                             "invalid_choice": "Select the new role"})
    reason = forms.CharField(label="Reason for the change", widget=forms.Textarea, max_length=2000,
                             error_messages={"required": "Enter the reason for the change of role"},
                             help_text="It is kept in the organisation's change log.")
    version = _version()

    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(role, Role(role).label) for role in roles]


class EndMembershipForm(Form):
    membership = forms.IntegerField(widget=forms.HiddenInput, error_messages=OUT_OF_DATE)
    reason = forms.CharField(label="Reason for ending the membership", widget=forms.Textarea, max_length=2000,
                             error_messages={"required": "Enter the reason for ending the membership"})
    version = _version()


class DeactivateForm(Form):
    reason = forms.CharField(label="Reason for deactivating them", widget=forms.Textarea, max_length=2000,
                             error_messages={"required": "Enter the reason for deactivating them"},
                             help_text="They are signed out at once and their API tokens stop working.")
    version = _version()


class ReactivateForm(Form):
    reason = forms.CharField(label="Reason for reactivating them (optional)", widget=forms.Textarea,
                             max_length=2000, required=False)
    version = _version()


class NewAccountForm(Form):
    first_name = forms.CharField(label="First name", max_length=150,
                                 error_messages={"required": "Enter your first name"})
    last_name = forms.CharField(label="Last name", max_length=150,
                                error_messages={"required": "Enter your last name"})
    password1 = forms.CharField(label="Password", strip=False, widget=forms.PasswordInput,
                                error_messages={"required": "Enter a password"})
    password2 = forms.CharField(label="Password again", strip=False, widget=forms.PasswordInput,
                                error_messages={"required": "Enter the password again"})

    def __init__(self, *args, email, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email
        self.fields["password1"].help_text = "At least 12 characters; not a common password, nor only numbers."

    def clean(self):
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The passwords do not match: enter the same password twice")
        elif first:
            candidate = User(username=self.email, email=self.email, first_name=data.get("first_name", ""),
                             last_name=data.get("last_name", ""))
            try:
                validate_password(first, candidate)
            except ValidationError as exc:
                self.add_error("password1", " ".join(exc.messages))
        return data


__all__ = ["DeactivateForm", "EndMembershipForm", "InviteForm", "NewAccountForm", "ReactivateForm",
           "RoleChangeForm", "VersionForm"]
