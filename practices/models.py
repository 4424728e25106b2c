"""Organisations (commissioners, localities, PCNs, practices) and CQC inspections."""

import datetime
from typing import NamedTuple

from dateutil.relativedelta import relativedelta
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from simple_history.models import HistoricalRecords

from .ratings import KEY_QUESTIONS, POPULATION_GROUPS, Rating

ods_practice_code = RegexValidator(r"^[A-Z][0-9]{5}$", "An ODS practice code is one letter and five digits.")
cqc_location_id = RegexValidator(r"^1-[0-9]+$", "A CQC location id is 1- followed by digits.")

SPECIAL_MEASURES_REINSPECTION = relativedelta(months=6)


class Commissioner(models.Model):
    class Kind(models.TextChoices):
        CCG = "ccg", "Clinical commissioning group (CCG)"
        ICB = "icb", "Integrated care board (ICB)"
        SUB_ICB = "sub_icb", "Sub-ICB location"

    ods_code = models.CharField("ODS code", max_length=10, unique=True)
    name = models.CharField(max_length=200, help_text="The ODS code itself while no source has named it.")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SUB_ICB)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
        help_text="The ICB a sub-ICB location belongs to.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.label

    @property
    def name_known(self):
        return name_known(self.ods_code, self.name)

    @property
    def label(self):
        """How a page names it: "NHS Oldham CCG (00Y)", or, with no known name, "Sub-ICB location 00Y — name not
        known" (never a bare code)."""
        return commissioner_label(self.ods_code, self.name, self.kind)


# Short words for a commissioner known only by its code.
KIND_WORDS = {Commissioner.Kind.CCG: "CCG", Commissioner.Kind.ICB: "ICB",
              Commissioner.Kind.SUB_ICB: "Sub-ICB location"}


def name_known(ods_code, name):
    """Whether a commissioner has a name: the ODS practice file gives codes only, and a commissioner it creates
    is named by its code until a CQC record or an ODS organisation file names it."""
    return bool(name) and name.strip().upper() != (ods_code or "").strip().upper()


def commissioner_label(ods_code, name, kind=Commissioner.Kind.SUB_ICB):
    """Commissioner.label from plain values (for rows read with ``values()``)."""
    if not name_known(ods_code, name):
        return f"{KIND_WORDS.get(kind, 'Commissioner')} {ods_code} — name not known"
    # ODS and CQC names often carry the code already ("NHS Greater Manchester Icb - 00Y").
    return name if ods_code in name.replace("-", " ").split() else f"{name} ({ods_code})"


class CommissionerName(models.Model):
    """A commissioner's name by ODS code, and which source gave it. Names can come before the commissioner (an
    ODS organisation file lists every sub-ICB location and ICB in England), so they are kept by code; an
    import that names a code also renames the commissioner with it. An ODS organisation file is the register and
    outranks a CQC location record, which carries its commissioner's name only in passing."""

    class Source(models.TextChoices):
        CQC = "cqc", "CQC location record"
        ODS = "ods", "ODS organisation file"

    RANK = {Source.CQC: 1, Source.ODS: 2}

    ods_code = models.CharField("ODS code", max_length=10, unique=True)
    name = models.CharField(max_length=200)
    source = models.CharField(max_length=10, choices=Source.choices)
    source_file = models.CharField(max_length=200, blank=True, help_text="The file the name was read from.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["ods_code"]

    def __str__(self):
        return f"{self.ods_code}: {self.name} ({self.get_source_display()})"


class Locality(models.Model):
    commissioner = models.ForeignKey(Commissioner, on_delete=models.CASCADE, related_name="localities")
    name = models.CharField(max_length=200)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "localities"
        constraints = [models.UniqueConstraint(fields=["commissioner", "name"], name="uniq_locality_name")]

    def __str__(self):
        return self.name


class PCN(models.Model):
    ods_code = models.CharField("ODS code", max_length=10, unique=True)
    name = models.CharField(max_length=200)
    commissioner = models.ForeignKey(Commissioner, on_delete=models.PROTECT, related_name="pcns")
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = "primary care network"

    def __str__(self):
        return self.name


class PracticeQuerySet(models.QuerySet):
    def with_current_rating(self):
        """Annotate the latest published rated inspection: overall rating, date and id.

        Derived on read from Inspection rows, never stored on Practice.
        """
        latest = Inspection.objects.rated().filter(practice=OuterRef("pk")).order_by(*Inspection.LATEST_FIRST)
        return self.annotate(
            current_rating=Subquery(latest.values("overall_rating")[:1]),
            current_published_on=Subquery(latest.values("publication_date")[:1]),
            current_inspection_id=Subquery(latest.values("pk")[:1]),
        )

    def in_special_measures(self, value=True):
        qs = self.with_current_rating() if "current_rating" not in self.query.annotations else self
        if value:
            return qs.filter(current_rating=Rating.INADEQUATE)
        # A practice with no published rating is not in special measures (NULL would drop it from exclude()).
        return qs.filter(Q(current_rating__isnull=True) | ~Q(current_rating=Rating.INADEQUATE))


class Practice(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        CLOSED = "closed", "Closed"
        DORMANT = "dormant", "Dormant"
        PROPOSED = "proposed", "Proposed"

    ods_code = models.CharField("ODS code", max_length=6, unique=True, validators=[ods_practice_code])
    name = models.CharField(max_length=200)
    address_line_1 = models.CharField(max_length=100, blank=True)
    address_line_2 = models.CharField(max_length=100, blank=True)
    address_line_3 = models.CharField(max_length=100, blank=True)
    address_line_4 = models.CharField(max_length=100, blank=True)
    address_line_5 = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=10, blank=True, db_index=True)
    telephone = models.CharField(max_length=30, blank=True)
    commissioner = models.ForeignKey(Commissioner, on_delete=models.PROTECT, related_name="practices")
    locality = models.ForeignKey(Locality, null=True, blank=True, on_delete=models.SET_NULL, related_name="practices")
    pcn = models.ForeignKey(PCN, null=True, blank=True, on_delete=models.SET_NULL, related_name="practices",
                            verbose_name="PCN")
    list_size = models.PositiveIntegerField("registered list size", null=True, blank=True)
    opened_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    prescribing_setting = models.PositiveSmallIntegerField(
        default=4, help_text="ODS prescribing setting; 4 = GP practice.")
    cqc_location_id = models.CharField("CQC location id", max_length=20, blank=True, validators=[cqc_location_id])
    single_handed = models.BooleanField(default=False)
    branch_sites = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    objects = PracticeQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["commissioner", "name"], name="practice_comm_name_idx"),
            models.Index(fields=["name"], name="practice_name_idx"),
        ]

    def __str__(self):
        return f"{self.name} ({self.ods_code})"

    @property
    def address(self):
        parts = [self.address_line_1, self.address_line_2, self.address_line_3, self.address_line_4,
                 self.address_line_5, self.postcode]
        return ", ".join(p for p in parts if p)

    @property
    def special_measures(self):
        """SpecialMeasures for a practice loaded with ``with_current_rating()``."""
        return special_measures_status(getattr(self, "current_rating", None),
                                       getattr(self, "current_published_on", None))


class InspectionQuerySet(models.QuerySet):
    def rated(self):
        """Published inspections that carry an overall rating (the only ones that count as current)."""
        return self.filter(publication_date__isnull=False).exclude(overall_rating="")


def _rating_field(label):
    return models.CharField(label, max_length=24, choices=Rating.choices, blank=True)


INSPECTION_LATEST_FIRST = ("-publication_date", "-inspection_date", "-pk")


class Inspection(models.Model):
    LATEST_FIRST = INSPECTION_LATEST_FIRST

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="inspections")
    cqc_location_id = models.CharField("CQC location id", max_length=20, blank=True, validators=[cqc_location_id])
    report_link_id = models.CharField(max_length=64, blank=True, help_text="CQC report link id.")
    inspection_date = models.DateField(null=True, blank=True)
    publication_date = models.DateField(null=True, blank=True)
    report_url = models.URLField(blank=True)
    overall_rating = _rating_field("overall")
    # One rating per key question (level 3) ...
    safe = _rating_field("safe")
    effective = _rating_field("effective")
    caring = _rating_field("caring")
    responsive = _rating_field("responsive")
    well_led = _rating_field("well-led")
    # ... and per population group (level 2).
    pg_older_people = _rating_field("older people")
    pg_long_term_conditions = _rating_field("people with long-term conditions")
    pg_families_children = _rating_field("families, children and young people")
    pg_working_age = _rating_field("working age people")
    pg_vulnerable = _rating_field("people whose circumstances may make them vulnerable")
    pg_mental_health = _rating_field("people experiencing poor mental health")
    # Optional level 1: {"safe": {"pg_older_people": "good", ...}, ...}
    cell_ratings = models.JSONField(default=dict, blank=True)
    breached_regulations = models.JSONField(default=list, blank=True,
                                            help_text='e.g. ["Regulation 12 Safe care and treatment"]')
    history = HistoricalRecords()

    objects = InspectionQuerySet.as_manager()

    class Meta:
        ordering = list(INSPECTION_LATEST_FIRST)
        indexes = [
            models.Index(fields=["practice", "-publication_date", "-inspection_date"], name="inspection_latest_idx"),
            # The current-rating subqueries of with_current_rating(): one index probe each, index-only.
            models.Index(fields=["practice", "-publication_date", "-inspection_date", "-id"],
                         include=["overall_rating"], name="inspection_current_idx",
                         condition=Q(publication_date__isnull=False) & ~Q(overall_rating="")),
        ]
        constraints = [
            # A CQC report link id names one report, even when a re-registered location carries
            # its predecessor's reports in its history.
            models.UniqueConstraint(fields=["report_link_id"], condition=~Q(report_link_id=""), name="uniq_cqc_report"),
        ]

    def __str__(self):
        when = self.publication_date or self.inspection_date
        return f"{self.practice.ods_code} {when}: {self.get_overall_rating_display()}"

    @property
    def places_in_special_measures(self):
        return self.overall_rating == Rating.INADEQUATE

    @property
    def reinspection_due(self):
        """Special-measures practices are re-inspected within six months of publication."""
        if self.places_in_special_measures and self.publication_date:
            return self.publication_date + SPECIAL_MEASURES_REINSPECTION
        return None

    def key_question_ratings(self):
        return [(label, getattr(self, field)) for field, _api, label in KEY_QUESTIONS]

    def population_group_ratings(self):
        return [(label, getattr(self, field)) for field, _api, label in POPULATION_GROUPS]


class SpecialMeasures(NamedTuple):
    active: bool
    reinspection_due: datetime.date | None
    overdue: bool


def special_measures_status(rating, published_on, today=None):
    """Special-measures state derived from a current rating: Inadequate overall means SM,
    with re-inspection due six months after the report's publication."""
    if rating != Rating.INADEQUATE or not published_on:
        return SpecialMeasures(False, None, False)
    due = published_on + SPECIAL_MEASURES_REINSPECTION
    today = today or datetime.date.today()
    return SpecialMeasures(True, due, due < today)
