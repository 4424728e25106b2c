"""Invitations, the log of changes to an organisation's people, each organisation's sign-in policy and the NHS
identities (OpenID Connect) people have signed in with.

An organisation is named the same way everywhere here: ``organisation_kind`` ("rcgp", "nhse", "commissioner",
"practice") with the commissioner or practice it is, when it is one of those.
"""

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce

from core.regions import Region
from core.roles import Role


class OrganisationKind(models.TextChoices):
    RCGP = "rcgp", "RCGP"
    NHSE = "nhse", "NHS England"
    COMMISSIONER = "commissioner", "Commissioner"
    PRACTICE = "practice", "Practice"


class Organisation(models.Model):
    """The fields that name an organisation (see the module's doc)."""

    organisation_kind = models.CharField(max_length=12, choices=OrganisationKind.choices)
    commissioner = models.ForeignKey("practices.Commissioner", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    practice = models.ForeignKey("practices.Practice", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")

    class Meta:
        abstract = True


class Invitation(Organisation):
    """An invitation to hold a role at an organisation, sent by e-mail with a single-use link that expires.

    The link's secret is made when the e-mail is sent and only its sha256 is kept (``token_hash``); resending
    makes a new one, so only the newest link works. Accepting it, revoking it or its expiry ends it."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        REVOKED = "revoked", "Revoked"

    class EmailStatus(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Could not be sent"

    email = models.EmailField(db_index=True)
    role = models.CharField(max_length=32, choices=Role.choices)
    region = models.CharField("NHS England region", max_length=3, choices=Region.choices, blank=True, default="")
    manages_people = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    token_hash = models.CharField(max_length=64, blank=True, default="", db_index=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    email_status = models.CharField(max_length=10, choices=EmailStatus.choices, default=EmailStatus.PENDING)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_error = models.CharField(max_length=300, blank=True, default="")
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["organisation_kind", "commissioner", "practice", "status"],
                         name="invitation_organisation_idx"),
            models.Index(fields=["email_status"], name="invitation_email_status_idx"),
        ]

    def __str__(self):
        return f"Invitation to {self.email} as {self.get_role_display()}"


class PeopleChange(Organisation):
    """One change to an organisation's people, or one refused attempt at one: who, when, what and why. Shown to
    that organisation's admins (people/access.py)."""

    class Action(models.TextChoices):
        INVITED = "invited", "Invited"
        INVITATION_RESENT = "invitation_resent", "Invitation resent"
        INVITATION_REVOKED = "invitation_revoked", "Invitation revoked"
        INVITATION_ACCEPTED = "invitation_accepted", "Invitation accepted"
        INVITATION_REFUSED = "invitation_refused", "Invitation link refused"
        ROLE_CHANGED = "role_changed", "Role changed"
        MEMBERSHIP_ADDED = "membership_added", "Membership added"
        MEMBERSHIP_ENDED = "membership_ended", "Membership ended"
        DEACTIVATED = "deactivated", "Deactivated"
        REACTIVATED = "reactivated", "Reactivated"
        ADVISER_UPDATED = "adviser_updated", "Adviser pool details changed"
        CONFLICT_DECLARED = "conflict_declared", "Conflict of interest declared"
        CONFLICT_ENDED = "conflict_ended", "Conflict of interest ended"
        SIGN_IN_POLICY = "sign_in_policy", "Sign-in policy changed"
        SSO_LINKED = "sso_linked", "NHS identity linked"
        SSO_REFUSED = "sso_refused", "NHS identity sign-in refused"
        PASSWORD_RESET = "password_reset", "Password reset"

    class Outcome(models.TextChoices):
        DONE = "done", "Done"
        REFUSED = "refused", "Refused"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", help_text="Empty for someone not signed in (an invitation link).")
    subject = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    subject_email = models.CharField(max_length=254, blank=True, default="")
    action = models.CharField(max_length=24, choices=Action.choices)
    outcome = models.CharField(max_length=8, choices=Outcome.choices, default=Outcome.DONE)
    detail = models.CharField(max_length=300, blank=True, default="")
    reason = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["organisation_kind", "commissioner", "practice", "-at"],
                                name="people_change_organisation_idx")]

    def __str__(self):
        return f"{self.get_action_display()} ({self.get_outcome_display()}) at {self.at:%Y-%m-%d %H:%M}"


class SignInPolicy(Organisation):
    """Whether an organisation's people may sign in with a password (on, until its admin turns it off once its
    people sign in with their NHS identity). A person with memberships of several organisations may use a password
    only if every one of them allows it."""

    password_sign_in = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name_plural = "sign-in policies"
        constraints = [models.UniqueConstraint("organisation_kind", Coalesce("commissioner", models.Value(0)),
                                               Coalesce("practice", models.Value(0)),
                                               name="sign_in_policy_once_per_organisation")]

    def __str__(self):
        return f"{self.get_organisation_kind_display()}: password sign-in {'on' if self.password_sign_in else 'off'}"


class SsoIdentity(models.Model):
    """An NHS identity (an OpenID Connect provider's subject) a person has signed in with. Linked at the first
    sign-in, by the provider's verified e-mail address matching the person's or an invitation's."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sso_identities")
    provider = models.CharField(max_length=50, help_text="The provider's name in settings.OIDC_PROVIDERS.")
    issuer = models.CharField(max_length=255)
    subject = models.CharField(max_length=255)
    email = models.EmailField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "SSO identities"
        constraints = [models.UniqueConstraint(fields=["issuer", "subject"], name="sso_identity_once")]

    def __str__(self):
        return f"{self.provider}: {self.subject}"
