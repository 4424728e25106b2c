"""Users and their memberships: a membership is a role at an organisation (a commissioner, a practice, RCGP or
NHS England). A person may hold several. The user's ``role``, ``commissioner``, ``practice`` and ``region`` are a
copy of the membership they act in (the one their home page and navigation follow), so a person with one
membership, nearly everyone, costs the access rules (core/relations.py) no query. ``other_memberships`` counts the
rest: when it is not zero, ``personas()`` loads them once per request and every access rule holds for the person
when it holds for any of their memberships (core/roles.py ``Rule``), so switching never changes what they see."""

import copy

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Coalesce
from simple_history.models import HistoricalRecords

from core.regions import Region
from core.roles import Role, organisation_kind
from core.session_cache import signed_in_users


def organisation_of(holder):
    """The organisation a role is held at, as the header names it (``holder``: a user, for the membership they act
    in, or a membership): the commissioner or practice, "NHS England – <region>", "RCGP" or "NHS England"."""
    kind = organisation_kind(holder.role) if holder.role else None
    if kind == "commissioner":
        return holder.commissioner
    if kind == "practice":
        return holder.practice
    if holder.role == Role.NHSE_REGIONAL and holder.region:
        return f"NHS England – {holder.get_region_display()}"
    return {"rcgp": "RCGP", "nhse": "NHS England"}.get(kind)


class UserQuerySet(models.QuerySet):
    """Writes that bypass ``save()`` tell the sessions' kept copies of these users to load them again
    (core/session_cache.py; ``save()`` and ``delete()`` of one user do it through signals, core/apps.py)."""

    def update(self, **kwargs):
        ids = list(self.values_list("pk", flat=True))
        count = super().update(**kwargs)
        signed_in_users.forget(ids)
        return count

    def bulk_update(self, objs, fields, batch_size=None):
        objs = list(objs)
        count = super().bulk_update(objs, fields, batch_size=batch_size)
        signed_in_users.forget(obj.pk for obj in objs)
        return count

    def delete(self):
        ids = list(self.values_list("pk", flat=True))
        deleted = super().delete()
        signed_in_users.forget(ids)
        return deleted


class Users(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    role = models.CharField(max_length=32, choices=Role.choices, blank=True, db_index=True)
    commissioner = models.ForeignKey(
        "practices.Commissioner", null=True, blank=True, on_delete=models.PROTECT, related_name="users",
    )
    practice = models.ForeignKey(
        "practices.Practice", null=True, blank=True, on_delete=models.PROTECT, related_name="users",
    )
    region = models.CharField("NHS England region", max_length=3, choices=Region.choices, blank=True, db_default="",
                              help_text="An NHSE regional team's region (core/regions.py).")
    other_memberships = models.PositiveSmallIntegerField(
        default=0, db_default=0, editable=False,
        help_text="How many memberships the person holds besides the one they act in (core.services keeps it).")
    manages_people = models.BooleanField(
        default=False, db_default=False, editable=False,
        help_text="A copy of the acting membership's people-admin flag (NHS England's), for the header.")
    history = HistoricalRecords(excluded_fields=["password", "last_login", "other_memberships", "manages_people"])

    objects = Users()

    class Meta:
        ordering = ["username"]

    def personas(self):
        """The person once per membership: this user (the membership they act in) first, then a copy of it acting in
        each other membership. Loaded once per user object (one query), and only for people who hold several."""
        if not self.other_memberships or not self.pk:
            return [self]
        cached = self.__dict__.get("_personas")
        if cached is None:
            cached = [self]
            rows = Membership.objects.filter(user_id=self.pk).select_related("commissioner", "practice")
            for membership in rows:
                if not membership.is_acting(self):
                    cached.append(self.acting_as(membership))
            self.__dict__["_personas"] = cached
        return cached

    def acting_as(self, membership):
        """A copy of this user acting in ``membership`` (never saved: the access rules read it)."""
        persona = copy.copy(self)
        persona._state = copy.copy(self._state)
        persona._state.fields_cache = {}
        persona.__dict__.pop("_personas", None)
        persona.role, persona.region = membership.role, membership.region
        persona.commissioner_id, persona.practice_id = membership.commissioner_id, membership.practice_id
        if membership.commissioner_id:
            persona._state.fields_cache["commissioner"] = membership.commissioner
        if membership.practice_id:
            persona._state.fields_cache["practice"] = membership.practice
        persona.other_memberships = 0
        persona.manages_people = membership.manages_people
        return persona


    @property
    def organisation_kind(self):
        return organisation_kind(self.role) if self.role else None

    @property
    def organisation(self):
        return organisation_of(self)

    def clean(self):
        super().clean()
        kind = self.organisation_kind
        if kind == "commissioner" and not self.commissioner_id:
            raise ValidationError({"commissioner": "A commissioner role needs a commissioner."})
        if kind == "practice" and not self.practice_id:
            raise ValidationError({"practice": "A practice role needs a practice."})
        if kind != "commissioner" and self.commissioner_id:
            raise ValidationError({"commissioner": "Only commissioner roles belong to a commissioner."})
        if kind != "practice" and self.practice_id:
            raise ValidationError({"practice": "Only practice roles belong to a practice."})
        if self.role == Role.NHSE_REGIONAL and not self.region:
            raise ValidationError({"region": "An NHSE regional team role needs its region."})
        if self.role != Role.NHSE_REGIONAL and self.region:
            raise ValidationError({"region": "Only an NHSE regional team role belongs to a region."})


class Membership(models.Model):
    """A person's role at an organisation. Written only by the membership services of core.services."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=32, choices=Role.choices)
    commissioner = models.ForeignKey("practices.Commissioner", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="memberships")
    practice = models.ForeignKey("practices.Practice", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="memberships")
    region = models.CharField("NHS England region", max_length=3, choices=Region.choices, blank=True, db_default="")
    manages_people = models.BooleanField(
        default=False, db_default=False,
        help_text="NHS England's people admin (RCGP admin, commissioner leads and practice leads manage their "
                  "organisation's people by their role).")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["user", "role"]
        constraints = [
            # A role at an organisation is held once (a missing organisation counts as one value).
            models.UniqueConstraint(
                "user", "role", Coalesce("commissioner", models.Value(0)), Coalesce("practice", models.Value(0)),
                "region", name="membership_once_per_role_and_organisation"),
        ]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()}"

    @property
    def organisation_kind(self):
        return organisation_kind(self.role)

    @property
    def organisation(self):
        return organisation_of(self)

    def key(self):
        return (self.role, self.commissioner_id, self.practice_id, self.region or "")

    def is_acting(self, user):
        """Whether ``user`` (its row's copy) acts in this membership."""
        return self.key() == (user.role, user.commissioner_id, user.practice_id, user.region or "")


class ApiToken(models.Model):
    """A REST API token. Only a SHA-256 hash of the secret is stored; the secret is shown once when the token is
    made (on the API tokens page or by ``create_api_token``). ``prefix`` is the secret's first characters, for
    display. Every token expires (``API_TOKEN_DAYS`` by default); its owner or RCGP admin can revoke it sooner."""

    user = models.ForeignKey("resilience.User", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True, help_text="What the token is for.")
    prefix = models.CharField(max_length=8, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "API token"

    def __str__(self):
        return f"{self.prefix}… ({self.user})"

    def status_at(self, now):
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        return "active"


class DocumentAccess(models.Model):
    """Who read or downloaded a contract's confidential documents, when, and through which door (information
    governance: the deputy lead and RCGP admin can read this log). Written by core.audit, once per request: one
    row per person, contract and document. Kept in its original table, from when forwardplans owned it."""

    class Document(models.TextChoices):
        REPORT = "report", "Diagnostic report"
        REPORT_VERSION = "report_version", "Diagnostic report (kept version)"
        PLAN = "plan", "Forward plan"
        ACTION = "action", "Forward plan action"
        EVIDENCE = "evidence", "Evidence file"
        PDF = "pdf", "PDF"
        WORD = "word", "Word copy"
        QUESTIONNAIRE = "questionnaire", "Staff questionnaire answers"
        SEARCH = "search", "Search results"
        API = "api", "REST API"
        EXPORT = "export", "List export"
        ICAL = "ical", "Calendar feed"
        CONCERN = "concern", "Reported concern"

    class Kind(models.TextChoices):
        VIEWED = "viewed", "Viewed"
        DOWNLOADED = "downloaded", "Downloaded"

    contract = models.ForeignKey("contracts.Contract", on_delete=models.CASCADE, related_name="document_accesses")
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    document = models.CharField(max_length=20, choices=Document.choices)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    detail = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "forwardplans_documentaccess"
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["contract", "-at"], name="document_access_idx")]
        verbose_name_plural = "document accesses"

    def __str__(self):
        return f"{self.user} {self.kind} {self.document} of {self.contract_id}"


class SignedInSession(models.Model):
    """Which sessions a person has signed in with, so that deactivating them ends every one at once whatever the
    session store (core.sessions.sessions_end_for). Recorded at sign-in; a row whose session has expired is
    harmless and is removed with it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["user"], name="signed_in_session_user_idx")]

    def __str__(self):
        return f"Session of {self.user_id} from {self.created_at:%Y-%m-%d %H:%M}"
