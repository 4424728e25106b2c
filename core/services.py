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
def user_upsert(*, username, role, org_code=None, password=None, email="", check_password=True, actor=None,
                manages_people=False):
    """Create a user with a role in its organisation, or change the membership an existing one acts in to that
    role and organisation (their other memberships stay).

    Returns (user, created). A password, when given, must pass the password validators unless
    ``check_password`` is False (demo accounts only).
    """
    if role not in Role.values:
        raise DomainError(f"Unknown role {role!r}; choose one of: {', '.join(Role.values)}.")
    _check_manages_people(role, manages_people)
    organisation = _organisation_for(role, org_code)
    user = User.objects.filter(username=username).first()
    created = user is None
    if created:
        user = User(username=username)
    before = None if created else acting_key(user)
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
    membership = membership_sync(user=user, replacing=before)
    if manages_people and not membership.manages_people:
        membership.manages_people = True
        membership.save(update_fields=["manages_people"])
    flag = bool(membership and membership.manages_people)
    if user.manages_people != flag:  # the copy of the acting membership's flag
        user.manages_people = flag
        User.objects.filter(pk=user.pk).update(manages_people=flag)
    return user, created


def _check_manages_people(role, manages_people):
    if manages_people and role != Role.NHSE_REPORTING:
        raise DomainError("Only a national NHS England membership manages people by a flag; RCGP admin, commissioner "
                          "leads and practice leads manage their organisation's people by their role.")


def membership_grant(*, username, role, org_code=None, manages_people=False):
    """The command line's way to give an existing person another membership (``create_role_user --also``)."""
    if role not in Role.values:
        raise DomainError(f"Unknown role {role!r}; choose one of: {', '.join(Role.values)}.")
    _check_manages_people(role, manages_people)
    user = User.objects.filter(username=username).first()
    if user is None:
        raise DomainError(f"No user {username!r}: create them first (without --also).")
    organisation = _organisation_for(role, org_code)
    return membership_add(user=user, role=role, commissioner=organisation["commissioner"],
                          practice=organisation["practice"], region=organisation.get("region", ""),
                          manages_people=manages_people)


def acting_key(user):
    return (user.role, user.commissioner_id, user.practice_id, user.region or "")


def _find(user, key):
    role, commissioner_id, practice_id, region = key
    return Membership.objects.filter(user=user, role=role, commissioner_id=commissioner_id, practice_id=practice_id,
                                     region=region).first()


def _recount(user):
    """Keep ``User.other_memberships`` (what the access rules read to know whether to load the others) true."""
    count = Membership.objects.filter(user=user).count()
    others = max(0, count - 1) if user.role else count
    if user.other_memberships != others:
        user.other_memberships = others
        User.objects.filter(pk=user.pk).update(other_memberships=others)
    user.__dict__.pop("_personas", None)


def membership_sync(*, user, replacing=None):
    """Make sure the role and organisation the person acts in (their row's copy) is one of their memberships. With
    ``replacing`` (the membership they acted in before, as a key), that membership becomes the new one rather than
    staying beside it. A user without a role (an operator's superuser account) acts in none. Returns the acting
    membership or None."""
    membership = None
    if user.role:
        key = acting_key(user)
        membership = _find(user, key)
        old = _find(user, replacing) if replacing and replacing != key and replacing[0] else None
        if membership is None and old is not None:
            old.role, old.commissioner_id, old.practice_id, old.region = key
            old.manages_people = old.manages_people and key[0] == Role.NHSE_REPORTING
            old.save()
            membership = old
        elif membership is None:
            membership = Membership.objects.create(user=user, role=key[0], commissioner_id=key[1],
                                                   practice_id=key[2], region=key[3])
        # (Already holding the new one, the person now acts in it and keeps the old one beside it.)
    elif replacing and replacing[0]:
        old = _find(user, replacing)
        if old is not None:
            old.delete()
    _recount(user)
    return membership


def _copy_to_user(user, membership):
    user.role = membership.role if membership else ""
    user.commissioner_id = membership.commissioner_id if membership else None
    user.practice_id = membership.practice_id if membership else None
    user.region = membership.region if membership else ""
    user.manages_people = membership.manages_people if membership else False
    for field in ("commissioner", "practice"):
        user._state.fields_cache.pop(field, None)
    user._change_reason = "acting membership switched"
    user.save(update_fields=["role", "commissioner", "practice", "region", "manages_people"])


@transaction.atomic
def membership_add(*, user, role, commissioner=None, practice=None, region="", manages_people=False):
    """Give a person another membership (or their first, which they then act in). The caller checks who may grant
    it (people.services). Refused if they hold it already."""
    if role not in Role.values:
        raise DomainError(f"Unknown role {role!r}.")
    kind = organisation_kind(role)
    if (kind == "commissioner") != bool(commissioner) or (kind == "practice") != bool(practice) \
            or (role == Role.NHSE_REGIONAL) != bool(region):
        raise DomainError("That role needs its own kind of organisation.")
    key = (role, commissioner.pk if commissioner else None, practice.pk if practice else None, region or "")
    user = User.objects.select_for_update().get(pk=user.pk)
    if _find(user, key) is not None:
        raise DomainError("They already hold that role at that organisation.")
    membership = Membership.objects.create(user=user, role=role, commissioner=commissioner, practice=practice,
                                           region=region or "", manages_people=manages_people)
    if not user.role:
        _copy_to_user(user, membership)
    _recount(user)
    return membership


@transaction.atomic
def membership_switch(*, user, membership):
    """Act in ``membership`` (one of the person's own): their home page and navigation follow it; what they may see
    and do does not change (it is the union of all of them)."""
    if membership.user_id != user.pk:
        raise DomainError("That membership is not yours.")
    _copy_to_user(user, membership)
    _recount(user)
    return membership


@transaction.atomic
def membership_set_role(*, membership, role):
    """Change the role of a membership within its organisation (the caller checks who may)."""
    if organisation_kind(role) != organisation_kind(membership.role):
        raise DomainError("A role can only be changed to another role of the same organisation.")
    user = User.objects.select_for_update().get(pk=membership.user_id)
    acting = membership.is_acting(user)
    key = (role, membership.commissioner_id, membership.practice_id, membership.region or "")
    if _find(user, key) is not None:
        raise DomainError("They already hold that role at that organisation.")
    membership.role = role
    membership.save(update_fields=["role"])
    if acting:
        _copy_to_user(user, membership)
    _recount(user)
    return membership


@transaction.atomic
def membership_set_manages_people(*, membership, manages_people):
    """Give (or take away) NHS England's people-admin flag on a national NHS England membership."""
    _check_manages_people(membership.role, manages_people)
    user = User.objects.select_for_update().get(pk=membership.user_id)
    membership.manages_people = bool(manages_people)
    membership.save(update_fields=["manages_people"])
    if membership.is_acting(user):
        User.objects.filter(pk=user.pk).update(manages_people=membership.manages_people)
    return membership


@transaction.atomic
def membership_remove(*, membership):
    """End a membership. If the person acted in it they act in another of theirs, or in none."""
    user = User.objects.select_for_update().get(pk=membership.user_id)
    acting = membership.is_acting(user)
    membership.delete()
    if acting:
        _copy_to_user(user, Membership.objects.filter(user=user).order_by("created_at", "pk").first())
    _recount(user)
