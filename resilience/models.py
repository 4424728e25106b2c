"""Users: every account has one role and belongs to the organisation that role needs."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from .roles import Role, organisation_kind


class User(AbstractUser):
    role = models.CharField(max_length=32, choices=Role.choices, blank=True, db_index=True)
    commissioner = models.ForeignKey(
        "practices.Commissioner", null=True, blank=True, on_delete=models.PROTECT, related_name="users",
    )
    practice = models.ForeignKey(
        "practices.Practice", null=True, blank=True, on_delete=models.PROTECT, related_name="users",
    )
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        ordering = ["username"]

    @property
    def organisation_kind(self):
        return organisation_kind(self.role) if self.role else None

    @property
    def organisation(self):
        kind = self.organisation_kind
        if kind == "commissioner":
            return self.commissioner
        if kind == "practice":
            return self.practice
        return {"rcgp": "RCGP", "nhse": "NHS England"}.get(kind)

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
