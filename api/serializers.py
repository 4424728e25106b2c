"""What the API shows. Figures and register metadata only: no Diagnostic Report or Forward Plan
free text, no contract notes, objectives or exit reasons, no staff questionnaire answers."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from contracts.vocabulary import Closure, EndReason, Outcome, Programme
from contracts.workflow import State
from forwardplans.models import PlanVersion
from forwardplans.vocabulary import KEY_QUESTION_CHOICES, Rag, RootCause
from practices.models import Practice, SpecialMeasuresEpisode
from practices.ratings import KEY_QUESTIONS, POPULATION_GROUPS, Rating
from practices.regulations import EnforcementKind

CONTRACT_STATUS_CHOICES = [("enquiry", "Enquiry"), ("live", "Live"), ("ended", "Ended")]
MONEY = {"max_digits": 12, "decimal_places": 2, "coerce_to_string": False}


class RatingField(serializers.ChoiceField):
    """A CQC rating value, or null where there is none (stored as "")."""

    def __init__(self, **kwargs):
        super().__init__(choices=Rating.choices, allow_null=True, read_only=True, **kwargs)

    def to_representation(self, value):
        return value or None


class OptionalChoiceField(serializers.ChoiceField):
    """A choice stored as "" when unset: shown as null."""

    def __init__(self, choices, **kwargs):
        super().__init__(choices=choices, allow_null=True, read_only=True, **kwargs)

    def to_representation(self, value):
        return value or None


# Ratings of the five CQC key questions, and of the six population groups (without the model's "pg_").
KeyQuestionRatingsSerializer = type("KeyQuestionRatings", (serializers.Serializer,),
                                    {field: RatingField() for field, _api, _label in KEY_QUESTIONS})
PopulationGroupRatingsSerializer = type(
    "PopulationGroupRatings", (serializers.Serializer,),
    {field.removeprefix("pg_"): RatingField(source=field) for field, _api, _label in POPULATION_GROUPS})


def special_measures_of(inspection, episodes):
    """(places_in_special_measures, reinspection_due) of one inspection, from its practice's special-measures
    ``episodes`` (SpecialMeasuresEpisode rows, any order), never from its rating: a report that began a
    special-measures episode or came while it lasted (kept the practice in) places it; the report that ended one
    (``exited``) does not. Reports published during a stage's dates count, so an episode corrected by hand (a CQC
    placement after a single Inadequate key question) flags the report that prompted it.

    The re-inspection date: the one the episode began with for the report that began it; for a later report that
    kept the practice in, the date that now applies (extended or not)."""
    published = inspection.publication_date
    if not published or not inspection.overall_rating:
        return False, None
    for episode in episodes:
        if episode.stage != SpecialMeasuresEpisode.Stage.SPECIAL_MEASURES or episode.started_on > published:
            continue
        ended = episode.ended_on
        if ended is not None and (published > ended or (
                published == ended and episode.outcome == SpecialMeasuresEpisode.Outcome.EXITED)):
            continue
        if published == episode.started_on:
            return True, episode.reinspection_due or episode.due
        return True, episode.due
    return False, None


def attach_special_measures(inspections, episodes):
    """Set ``sm_places`` and ``sm_reinspection_due`` (what InspectionSerializer shows) on ``inspections`` from
    ``episodes`` (those of their practices): no query."""
    by_practice = {}
    for episode in episodes:
        by_practice.setdefault(episode.practice_id, []).append(episode)
    for inspection in inspections:
        inspection.sm_places, inspection.sm_reinspection_due = special_measures_of(
            inspection, by_practice.get(inspection.practice_id, ()))
    return inspections


class EnforcementSerializer(serializers.Serializer):
    """One enforcement action CQC took after the inspection, entered by hand from its report (CQC's location
    records carry none)."""

    kind = serializers.ChoiceField(choices=EnforcementKind.choices, read_only=True)
    label = serializers.CharField(source="get_kind_display", read_only=True, help_text="The kind, in words.")
    regulations = serializers.ListField(child=serializers.CharField(), read_only=True,
                                        help_text='e.g. ["Regulation 17: Good governance"].')
    issued_on = serializers.DateField(read_only=True)
    comply_by = serializers.DateField(read_only=True, allow_null=True,
                                      help_text="The date CQC set for compliance, if any.")
    ended_on = serializers.DateField(read_only=True, allow_null=True, help_text="Met, lifted or withdrawn on.")


class InspectionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    practice = serializers.CharField(source="practice.ods_code", read_only=True, help_text="Practice ODS code.")
    cqc_location_id = serializers.CharField(read_only=True)
    inspection_date = serializers.DateField(read_only=True, allow_null=True)
    publication_date = serializers.DateField(read_only=True, allow_null=True)
    report_url = serializers.CharField(read_only=True)
    overall_rating = RatingField()
    key_questions = KeyQuestionRatingsSerializer(source="*", read_only=True)
    population_groups = PopulationGroupRatingsSerializer(source="*", read_only=True)
    breached_regulations = serializers.ListField(
        child=serializers.CharField(), read_only=True,
        help_text='The regulations the report found breached, e.g. ["Regulation 12: Safe care and treatment"], '
                  "entered by RCGP admin or a commissioner lead from the report.")
    enforcement = EnforcementSerializer(source="enforcements", many=True, read_only=True,
                                        help_text="CQC's enforcement after this report, oldest first.")
    places_in_special_measures = serializers.BooleanField(
        source="sm_places", read_only=True,
        help_text="The report began a special-measures episode or kept the practice in one (from the episodes, "
                  "not the rating: a CQC placement after a single Inadequate key question counts; the report "
                  "that ended an episode does not).")
    reinspection_due = serializers.DateField(
        source="sm_reinspection_due", read_only=True, allow_null=True,
        help_text="For the report that began an episode, its re-inspection date; for a later one that kept the "
                  "practice in, the date that now applies (extended or not); null otherwise.")


class PracticeInspectionSerializer(InspectionSerializer):
    """An inspection inside a practice: the practice is the parent."""

    practice = None


def _iso(day):
    return day.isoformat() if day else None


class PracticeSerializer(serializers.Serializer):
    ods_code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(choices=Practice.Status.choices, read_only=True)
    commissioner = serializers.CharField(source="commissioner_code", read_only=True, help_text="Commissioner ODS code.")
    postcode = serializers.CharField(read_only=True)
    list_size = serializers.IntegerField(read_only=True, allow_null=True)
    current_rating = RatingField(help_text="Overall rating of the latest published inspection, or null.")
    current_rating_published_on = serializers.DateField(source="current_published_on", read_only=True,
                                                        allow_null=True)
    key_questions = KeyQuestionRatingsSerializer(source="current_key_questions", read_only=True, allow_null=True,
                                                 help_text="Key-question ratings of the current inspection.")
    in_special_measures = serializers.SerializerMethodField()
    reinspection_due = serializers.SerializerMethodField()

    def _special_measures(self, practice):
        # From the current special-measures episode (practices.models.SpecialMeasuresEpisode).
        return practice.special_measures

    def get_in_special_measures(self, practice) -> bool:
        return self._special_measures(practice).active

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_reinspection_due(self, practice):
        return self._special_measures(practice).reinspection_due

    def to_representation(self, practice):
        """The fields above, written out: a page is 100 practices, and going through each declared field was
        most of the list's time. tests/test_api_practices.py holds this equal to the declared fields'
        own output."""
        current = practice.current_key_questions
        sm = self._special_measures(practice)
        return {
            "ods_code": practice.ods_code,
            "name": practice.name,
            "status": practice.status,
            "commissioner": practice.commissioner_code,
            "postcode": practice.postcode,
            "list_size": practice.list_size,
            "current_rating": practice.current_rating or None,
            "current_rating_published_on": _iso(practice.current_published_on),
            "key_questions": None if current is None else {
                field: current[field] or None for field, _api, _label in KEY_QUESTIONS},
            "in_special_measures": sm.active,
            "reinspection_due": sm.reinspection_due,  # as the method field gives it: a date for the renderers
        }


class SpecialMeasuresEpisodeSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(
        choices=SpecialMeasuresEpisode.Stage.choices, read_only=True,
        help_text="special_measures, or window: the six months CQC gives after an Inadequate key question or "
                  "population group (not special measures).")
    route = OptionalChoiceField(choices=SpecialMeasuresEpisode.Route.choices,
                                help_text="How special measures began (null for a window).")
    started_on = serializers.DateField(read_only=True)
    reinspection_due = serializers.DateField(source="due", read_only=True, allow_null=True,
                                             help_text="The re-inspection date that applies (after any extension).")
    extended_to = serializers.DateField(read_only=True, allow_null=True,
                                        help_text="The re-inspection date after CQC extended it, if it did.")
    ended_on = serializers.DateField(read_only=True, allow_null=True)
    outcome = OptionalChoiceField(choices=SpecialMeasuresEpisode.Outcome.choices,
                                  help_text="How it ended (null while it lasts): exited, registration_cancelled or "
                                            "practice_closed; a window: improved or not_improved.")


class PracticeDetailSerializer(PracticeSerializer):
    inspections = PracticeInspectionSerializer(many=True, read_only=True, help_text="Newest first.")
    special_measures_episodes = SpecialMeasuresEpisodeSerializer(
        many=True, read_only=True,
        help_text="Special-measures episodes and the six-month windows before them (`stage`), oldest first. "
                  "in_special_measures and reinspection_due come from the one not yet ended.")

    def to_representation(self, practice):
        return serializers.Serializer.to_representation(self, practice)


class ContractSerializer(serializers.Serializer):
    reference = serializers.CharField(read_only=True)
    parent = serializers.CharField(source="parent_reference", read_only=True, allow_null=True,
                                   help_text="The contract this one follows on from, if you may see it.")
    practice = serializers.CharField(source="practice.ods_code", read_only=True, help_text="Lead practice ODS code.")
    group_practices = serializers.SerializerMethodField(help_text="ODS codes of the other practices of a group.")
    commissioner = serializers.CharField(source="commissioner.ods_code", read_only=True)
    programme = serializers.ChoiceField(choices=Programme.choices, read_only=True)
    categories = serializers.ListField(child=serializers.CharField(), read_only=True)
    state = serializers.ChoiceField(choices=State.choices, read_only=True)
    status = serializers.ChoiceField(choices=CONTRACT_STATUS_CHOICES, read_only=True)
    commissioned_on = serializers.DateField(read_only=True)
    first_contact_on = serializers.DateField(read_only=True, allow_null=True)
    agreement_signed_on = serializers.DateField(source="mou_signed_on", read_only=True, allow_null=True)
    agreement_starts_on = serializers.DateField(source="mou_starts_on", read_only=True, allow_null=True)
    agreement_ends_on = serializers.DateField(source="mou_ends_on", read_only=True, allow_null=True)
    ended_on = serializers.DateField(read_only=True, allow_null=True)
    end_reason = OptionalChoiceField(EndReason.choices)
    rating_before = RatingField()
    in_special_measures_before = serializers.BooleanField(read_only=True, allow_null=True)
    rating_after = RatingField()
    in_special_measures_after = serializers.BooleanField(read_only=True, allow_null=True)
    closure = serializers.ChoiceField(choices=Closure.choices, read_only=True)
    outcome = OptionalChoiceField(Outcome.choices, help_text="Outcome category; null while there is none.")
    awaiting_reinspection = serializers.BooleanField(read_only=True)
    value = serializers.DecimalField(read_only=True, **MONEY)
    nhse_contribution = serializers.DecimalField(read_only=True, **MONEY)
    practice_contribution = serializers.DecimalField(read_only=True, **MONEY)
    spent = serializers.DecimalField(read_only=True, **MONEY)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_group_practices(self, contract):
        return [practice.ods_code for practice in contract.practices.all()]


class PlanInspectionSerializer(serializers.Serializer):
    """The inspection a plan answers (public facts of CQC's)."""

    report_link_id = serializers.CharField(read_only=True)
    inspection_date = serializers.DateField(read_only=True, allow_null=True)
    publication_date = serializers.DateField(read_only=True, allow_null=True)
    overall_rating = serializers.ChoiceField(choices=Rating.choices, read_only=True, allow_blank=True)
    report_url = serializers.CharField(read_only=True)


class PlanVersionSerializer(serializers.Serializer):
    """A kept version of a plan: why and when (not who, nor its text)."""

    number = serializers.IntegerField(read_only=True)
    reason = serializers.ChoiceField(choices=PlanVersion.Reason.choices, read_only=True)
    agreed_by = serializers.ChoiceField(choices=PlanVersion.Party.choices, read_only=True, allow_blank=True,
                                        help_text="The party that agreed it when reason is agreed; empty otherwise.")
    at = serializers.DateTimeField(read_only=True)


class PlanSummarySerializer(serializers.Serializer):
    """Figures of one forward plan: no text of it."""

    inspection = PlanInspectionSerializer(read_only=True, allow_null=True,
                                          help_text="The inspection the plan answers, if one is chosen.")
    versions = PlanVersionSerializer(many=True, read_only=True,
                                     help_text="Kept versions: shared with the commissioner, sent to CQC, agreed.")

    contract = serializers.CharField(source="contract.reference", read_only=True)
    practice = serializers.CharField(source="contract.practice.ods_code", read_only=True)
    commissioner = serializers.CharField(source="contract.commissioner.ods_code", read_only=True)
    programme = serializers.ChoiceField(source="contract.programme", choices=Programme.choices, read_only=True)
    actions = serializers.IntegerField(source="summary.total", read_only=True)
    red = serializers.IntegerField(source="summary.by_rag.red", read_only=True)
    amber = serializers.IntegerField(source="summary.by_rag.amber", read_only=True)
    green = serializers.IntegerField(source="summary.by_rag.green", read_only=True)
    percent_complete = serializers.FloatField(source="summary.percent_complete", read_only=True,
                                              help_text="Green actions as a percentage of all, one decimal place.")
    overdue_milestones = serializers.IntegerField(source="summary.overdue_milestones", read_only=True)
    due_soon = serializers.IntegerField(source="summary.due_soon", read_only=True,
                                        help_text="Actions not Green with completion or a milestone due in 14 days.")


class ActionSerializer(serializers.Serializer):
    """A forward-plan action without its free text (read that on the plan page)."""

    id = serializers.IntegerField(read_only=True)
    contract = serializers.CharField(source="plan.contract.reference", read_only=True)
    practice = serializers.CharField(source="plan.contract.practice.ods_code", read_only=True)
    key_question = serializers.ChoiceField(choices=KEY_QUESTION_CHOICES, read_only=True)
    other_key_questions = serializers.ListField(
        child=serializers.ChoiceField(choices=KEY_QUESTION_CHOICES), read_only=True,
        help_text="The key questions it answers besides key_question (the plan is grouped by that one).")
    regulations = serializers.ListField(
        child=serializers.CharField(), read_only=True,
        help_text='The CQC regulations it answers, in CQC\'s order, e.g. ["Regulation 12: Safe care and treatment"].')
    regulation_other = serializers.CharField(read_only=True, help_text="Wording that names none of CQC's "
                                             "regulations (a contract clause, say); empty if none.")
    regulation = serializers.CharField(read_only=True, help_text="What it answers as one line: the regulations, "
                                       "then any other wording (as before, for existing clients).")
    root_causes = serializers.ListField(
        child=serializers.ChoiceField(choices=RootCause.choices), read_only=True,
        help_text="The root causes it answers (the RCGP method's: causes for concern, clinical leadership, practice "
                  "management), in the method's order.")
    planned_completion = serializers.DateField(read_only=True)
    priority = serializers.IntegerField(read_only=True)
    rag_status = serializers.ChoiceField(choices=Rag.choices, read_only=True)
    version = serializers.IntegerField(read_only=True, help_text="Send it back as If-Match when you PATCH.")
    updated_at = serializers.DateTimeField(read_only=True)


class ActionUpdateSerializer(serializers.Serializer):
    rag_status = serializers.ChoiceField(choices=Rag.choices, required=False)
    progress_note = serializers.CharField(required=False, allow_blank=True, max_length=5000,
                                          help_text="Added to the action's dated progress log.")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000,
                                   help_text="Why the RAG status is changing (defaults to progress_note).")
    evidence_justification = serializers.CharField(
        required=False, allow_blank=True, max_length=2000,
        help_text="For Green without uploaded evidence: where the evidence is, or why none is needed.")

    def validate(self, attrs):
        unknown = sorted(set(self.initial_data) - set(self.fields)) if isinstance(self.initial_data, dict) else []
        if unknown:
            raise serializers.ValidationError({name: ["This field cannot be changed through the API."]
                                               for name in unknown})
        if not attrs.get("rag_status") and not attrs.get("progress_note", "").strip():
            raise serializers.ValidationError({"non_field_errors": ["Give rag_status, progress_note or both."]})
        if attrs.get("rag_status") and not (attrs.get("reason", "").strip() or attrs.get("progress_note", "").strip()):
            raise serializers.ValidationError({"reason": ["Say why the RAG status is changing (reason or "
                                                          "progress_note)."]})
        return attrs


class FundingRowSerializer(serializers.Serializer):
    financial_year = serializers.CharField(help_text="e.g. 2025-26 (April 2025 to March 2026).")
    programme = serializers.ChoiceField(choices=Programme.choices)
    contracts = serializers.IntegerField(help_text="Contracts commissioned in the year (enquiries included).")
    contracted = serializers.DecimalField(
        help_text="Sum of the value of those contracts (called allocated until issue 22).", **MONEY)
    committed_contracts = serializers.IntegerField(help_text="Contracts whose agreement was signed in the year.")
    committed = serializers.DecimalField(help_text="The agreed value of the agreements signed in the year.", **MONEY)
    spent = serializers.DecimalField(help_text="Payments made in the year: paid invoices less paid refunds, counted "
                                               "in the financial year they were paid.", **MONEY)


class RagRowSerializer(serializers.Serializer):
    commissioner = serializers.CharField(help_text="ODS code of the contracts' commissioner.")
    commissioner_name = serializers.CharField()
    red = serializers.IntegerField()
    amber = serializers.IntegerField()
    green = serializers.IntegerField()
    total = serializers.IntegerField()


class OutcomeShareSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    percent = serializers.FloatField()


def _shares(names, doc):
    return type(doc, (serializers.Serializer,), {name: OutcomeShareSerializer() for name in names})


class OfferTakeUpSerializer(serializers.Serializer):
    """The special-measures offers' take-up (contracts.figures): zeros for a programme with no offers."""

    made = serializers.IntegerField()
    accepted = serializers.IntegerField(help_text="Accepted: became a contract.")
    declined = serializers.IntegerField()
    no_reply = serializers.IntegerField(help_text="None recorded by the reply date (OFFER_REPLY_WORKING_DAYS).")
    awaiting = serializers.IntegerField(help_text="No reply yet, within the reply date.")
    take_up_percent = serializers.FloatField(help_text="Accepted as a percentage of offers made, one decimal place.")


class EnquiryOutcomesSerializer(serializers.Serializer):
    """The take-up of the enquiries of every source (offers and initial conversations; contracts.figures)."""

    made = serializers.IntegerField(help_text="Enquiry records of every source.")
    accepted = serializers.IntegerField(help_text="Became a contract.")
    declined = serializers.IntegerField()
    not_eligible = serializers.IntegerField()
    no_reply = serializers.IntegerField(help_text="Recorded for a conversation; past the reply date for an offer.")
    awaiting = serializers.IntegerField(help_text="No outcome yet.")
    take_up_percent = serializers.FloatField(help_text="Became a contract, as a percentage of those made.")


class ProgrammeFiguresSerializer(serializers.Serializer):
    """Documents contracts.figures.programme_figures(): the view returns that dict as it is."""

    programme = serializers.ChoiceField(choices=Programme.choices)
    enquiries = serializers.IntegerField()
    supported = serializers.IntegerField()
    live = serializers.IntegerField()
    ended = serializers.IntegerField()
    ended_by_reason = type("EndedByReason", (serializers.Serializer,),
                           {reason: serializers.IntegerField() for reason in EndReason.values})()
    completed = serializers.IntegerField()
    awaiting_reinspection = serializers.IntegerField()
    outcomes = _shares(Outcome.values, "Outcomes")()
    subtotals = _shares(["improved", "in_special_measures", "closed"], "Subtotals")()
    offers = OfferTakeUpSerializer()
    enquiry_outcomes = EnquiryOutcomesSerializer()


# Query parameters of the reports (validated like bodies; "from" and "to" are Python keywords).
ProgrammeOutcomesQuery = type("ProgrammeOutcomesQuery", (serializers.Serializer,), {
    "programme": serializers.ChoiceField(choices=Programme.choices),
    "commissioner": serializers.CharField(required=False, help_text="Commissioner ODS code (includes its sub-ICB "
                                                                    "locations)."),
    "from": serializers.DateField(required=False, help_text="Commissioned on or after (YYYY-MM-DD)."),
    "to": serializers.DateField(required=False, help_text="Commissioned on or before (YYYY-MM-DD)."),
    "validate": lambda self, attrs: _check_range(attrs),
})


def _check_range(attrs):
    if attrs.get("from") and attrs.get("to") and attrs["from"] > attrs["to"]:
        raise serializers.ValidationError({"to": ["Must be the same as or after from."]})
    return attrs


class FundingQuery(serializers.Serializer):
    financial_year = serializers.IntegerField(min_value=2000, max_value=2100,
                                              help_text="The April-March year that starts in this year: 2025 is "
                                                        "1 April 2025 to 31 March 2026.")
    commissioner = serializers.CharField(required=False, help_text="Commissioner ODS code.")


class RagQuery(serializers.Serializer):
    commissioner = serializers.CharField(required=False, help_text="Commissioner ODS code.")

