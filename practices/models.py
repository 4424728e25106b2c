"""Organisations (commissioners, localities, PCNs, practices) and CQC inspections."""

import datetime
from typing import NamedTuple

from dateutil.relativedelta import relativedelta
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from simple_history.models import HistoricalRecords

from core.regions import Region

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
    region = models.CharField(
        "NHS England region", max_length=3, choices=Region.choices, blank=True, db_default="", db_index=True,
        help_text="Derived from its practices' ODS region codes, else its ICB's (practices/regions.py).")
    history = HistoricalRecords(excluded_fields=["region"])

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
        """Annotate the latest published rated inspection (overall rating, date and id) and the current
        special-measures episode (its start and the re-inspection date, extended or not).

        Derived on read from Inspection and SpecialMeasuresEpisode rows, never stored on Practice.
        """
        latest = Inspection.objects.rated().filter(practice=OuterRef("pk")).order_by(*Inspection.LATEST_FIRST)
        episode = (SpecialMeasuresEpisode.objects.current().filter(practice=OuterRef("pk"))
                   .order_by("-started_on", "-pk"))
        return self.annotate(
            current_rating=Subquery(latest.values("overall_rating")[:1]),
            current_published_on=Subquery(latest.values("publication_date")[:1]),
            current_inspection_id=Subquery(latest.values("pk")[:1]),
            sm_started_on=Subquery(episode.values("started_on")[:1]),
            sm_reinspection_due=Subquery(episode.annotate(
                due=Coalesce("extended_to", "reinspection_due")).values("due")[:1]),
        )

    def in_special_measures(self, value=True):
        """Practices with (or without) a current special-measures episode."""
        qs = self.with_current_rating() if "sm_started_on" not in self.query.annotations else self
        return qs.filter(sm_started_on__isnull=not value)


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
    ods_region = models.CharField("ODS region code", max_length=3, blank=True, db_default="",
                                  help_text="The ODS file's national grouping (column 3), as given: it may be a "
                                            "code of the regions before 2020.")
    region = models.CharField(
        "NHS England region", max_length=3, choices=Region.choices, blank=True, db_default="",
        help_text="Its current region: the ODS code when current, else its commissioner's (practices/regions.py).")
    history = HistoricalRecords(excluded_fields=["region"])

    objects = PracticeQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["commissioner", "name"], name="practice_comm_name_idx"),
            models.Index(fields=["name"], name="practice_name_idx"),
            models.Index(fields=["region", "name"], name="practice_region_idx"),
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
        """SpecialMeasures of the current episode, for a practice loaded with ``with_current_rating()`` (or
        ``selectors.practice_detail``)."""
        return episode_status(getattr(self, "sm_started_on", None), getattr(self, "sm_reinspection_due", None))


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

    def key_question_ratings(self):
        return [(label, getattr(self, field)) for field, _api, label in KEY_QUESTIONS]

    def population_group_ratings(self):
        return [(label, getattr(self, field)) for field, _api, label in POPULATION_GROUPS]


class SpecialMeasures(NamedTuple):
    active: bool
    reinspection_due: datetime.date | None
    overdue: bool


def episode_status(started_on, reinspection_due, today=None):
    """SpecialMeasures from the current episode's start and re-inspection date (None: not in special measures)."""
    if not started_on:
        return SpecialMeasures(False, None, False)
    today = today or datetime.date.today()
    return SpecialMeasures(True, reinspection_due, bool(reinspection_due and reinspection_due < today))


class EpisodeQuerySet(models.QuerySet):
    def special_measures(self):
        return self.filter(stage=SpecialMeasuresEpisode.Stage.SPECIAL_MEASURES)

    def current(self):
        """Special-measures episodes not yet ended: a practice has one at most."""
        return self.special_measures().filter(ended_on__isnull=True)


class SpecialMeasuresEpisode(models.Model):
    """One stage of a practice's passage through CQC's special-measures regime (002 §19-24).

    ``stage`` tells the two apart: the six-month window CQC gives after an Inadequate key question or population
    group (``window``; it ends improved, or not improved when special measures follow), and special measures
    itself (``special_measures``; entered by one of three routes, left with the new rating, by cancellation of
    registration or by closure). Derived from the inspections (practices/episodes.py) unless corrected by hand
    (``source``); a correction stands until a newer inspection is published (``corrected_as_of``)."""

    class Stage(models.TextChoices):
        WINDOW = "window", "Six months to improve"
        SPECIAL_MEASURES = "special_measures", "Special measures"

    class Route(models.TextChoices):
        OVERALL_INADEQUATE = "overall_inadequate", "Rated Inadequate overall"
        DOMAIN_NOT_IMPROVED = ("domain_inadequate_not_improved",
                               "Still Inadequate in a key question or population group after six months")
        PLACED_BY_CQC = "placed_by_cqc", "Placed in special measures by CQC"

    class Outcome(models.TextChoices):
        EXITED = "exited", "Left special measures with the new rating"
        REGISTRATION_CANCELLED = "registration_cancelled", "Registration cancelled"
        PRACTICE_CLOSED = "practice_closed", "Practice closed"
        IMPROVED = "improved", "Improved within six months"
        NOT_IMPROVED = "not_improved", "Not improved: placed in special measures"

    class Source(models.TextChoices):
        DERIVED = "derived", "Derived from the inspections"
        CORRECTED = "corrected", "Corrected by hand"

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="episodes")
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.SPECIAL_MEASURES)
    route = models.CharField(max_length=40, choices=Route.choices, blank=True,
                             help_text="How special measures began (blank for a six-month window).")
    started_on = models.DateField()
    reinspection_due = models.DateField(null=True, blank=True)
    extended_to = models.DateField(null=True, blank=True, help_text="Re-inspection date after an extension.")
    ended_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=30, choices=Outcome.choices, blank=True)
    exit_rating = _rating_field("rating on leaving")
    domains = models.JSONField(default=list, blank=True,
                               help_text="Inspection fields rated Inadequate that opened a window (e.g. well_led).")
    inspections = models.ManyToManyField(Inspection, blank=True, related_name="episodes",
                                         help_text="The inspections it came from.")
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.DERIVED)
    corrected_as_of = models.DateField(null=True, blank=True,
                                       help_text="Publication date of the newest inspection when corrected.")
    differs_from_derived = models.BooleanField(
        default=False, help_text="A correction the inspections, derived again, do not bear out.")
    history = HistoricalRecords()

    objects = EpisodeQuerySet.as_manager()

    class Meta:
        ordering = ["practice", "started_on", "pk"]
        indexes = [models.Index(fields=["practice", "stage", "ended_on"], name="episode_current_idx")]

    def __str__(self):
        return f"{self.practice.ods_code} {self.get_stage_display()} from {self.started_on}"

    @property
    def domain_labels(self):
        """The key questions and population groups, by name, whose Inadequate rating opened a window."""
        labels = {field: label for field, _api, label in (*KEY_QUESTIONS, *POPULATION_GROUPS)}
        return [labels.get(field, field) for field in self.domains]

    @property
    def due(self):
        """The re-inspection date that now applies."""
        return self.extended_to or self.reinspection_due


from .regulation_models import Enforcement, PatientInformation  # noqa: E402, F401
