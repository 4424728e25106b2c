"""Write operations on users."""

from django.apps import apps
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from core.errors import DomainError
from core.models import Membership, User
from core.regions import Region
from core.roles import Role, organisation_kind


def _organisation_for(role, org_code):
    kind = organisation_kind(role)
    if kind == "commissioner":
        if not org_code:
            raise DomainError(f"Role {role} needs --org with a commissioner ODS code.")
        commissioner = apps.get_model("practices", "Commissioner").objects.filter(ods_code=org_code.upper()).first()
        if commissioner is None:
            raise DomainError(f"No commissioner with ODS code {org_code}.")
        return {"commissioner": commissioner, "practice": None}
    if kind == "practice":
        if not org_code:
            raise DomainError(f"Role {role} needs --org with a practice ODS code.")
        practice = apps.get_model("practices", "Practice").objects.filter(ods_code=org_code.upper()).first()
        if practice is None:
            raise DomainError(f"No practice with ODS code {org_code}.")
        return {"commissioner": None, "practice": practice}
    if role == Role.NHSE_REGIONAL:
        region = (org_code or "").strip().upper()
        if region not in Region.values:
            raise DomainError(f"Role {role} needs --org with an NHS England region code: "
                              f"{', '.join(f'{r.value} ({r.label})' for r in Region)}.")
        return {"commissioner": None, "practice": None, "region": region}
    if org_code:
        raise DomainError(f"Role {role} belongs to {'RCGP' if kind == 'rcgp' else 'NHS England'}; leave out --org.")
    return {"commissioner": None, "practice": None}


@transaction.atomic
def user_upsert(*, username, role, org_code=None, password=None, email="", check_password=True, actor=None):
    """Create a user with a role in its organisation, or update the role/organisation of an existing one.

    Returns (user, created). A password, when given, must pass the password validators unless
    ``check_password`` is False (demo accounts only).
    """
    if role not in Role.values:
        raise DomainError(f"Unknown role {role!r}; choose one of: {', '.join(Role.values)}.")
    organisation = _organisation_for(role, org_code)
    user = User.objects.filter(username=username).first()
    created = user is None
    if created:
        user = User(username=username)
    user.role = role
    user.commissioner = organisation["commissioner"]
    user.practice = organisation["practice"]
    user.region = organisation.get("region", "")
    if email:
        user.email = email
    if password:
        if check_password:
            try:
                validate_password(password, user)
            except ValidationError as exc:
                raise DomainError(" ".join(exc.messages)) from None
        user.set_password(password)
    elif created:
        user.set_unusable_password()
    user._change_reason = "created" if created else "role or organisation set"
    user.full_clean(exclude=["password"])
    user.save()
    membership_sync(user=user)
    return user, created


def membership_sync(*, user):
    """Make the person's membership the role and organisation they act in (one membership each, for now); a user
    without a role (an operator's superuser account) holds none. Returns the membership or None."""
    if not user.role:
        Membership.objects.filter(user=user).delete()
        return None
    membership, _ = Membership.objects.update_or_create(
        user=user, defaults={"role": user.role, "commissioner_id": user.commissioner_id,
                             "practice_id": user.practice_id, "region": user.region})
    return membership
