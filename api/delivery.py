"""GET /api/v1/delivery-records/: the visits, meetings, interviews and review meetings of contracts that the caller
may read (delivery.access.records_for: the contract's RCGP team; its practice's and commissioner's users only the
records shared with them, never an interview, and never the notes for the RCGP team; NHSE none), newest first,
with the kinds of support given at each. `?format=csv|xlsx` exports every match."""

from django.db.models import BooleanField, Case, Value, When
from django_filters import rest_framework as django_filters
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, viewsets

from api.views import ExportableMixin, cursor_pagination
from core.relations import rcgp_team
from delivery import access
from delivery.models import DeliveryRecord
from delivery.vocabulary import INTERVIEW_HEADINGS, RecordKind, SupportKind

AnswersSerializer = type("DeliveryAnswersSerializer", (serializers.Serializer,), {
    key: serializers.CharField(read_only=True, allow_null=True, help_text=heading)
    for key, heading, _hint in INTERVIEW_HEADINGS})


class DeliveryRecordSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    contract = serializers.CharField(source="contract.reference", read_only=True, help_text="Contract reference.")
    kind = serializers.ChoiceField(choices=RecordKind.choices, read_only=True)
    date = serializers.DateField(source="happened_on", read_only=True)
    attendees = serializers.ListField(source="attendee_list", child=serializers.CharField(), read_only=True,
                                      help_text="Who attended (for an interview: who interviewed).")
    purpose = serializers.CharField(read_only=True)
    interviewee_role = serializers.CharField(read_only=True, help_text="Interviews: the key person's role.")
    answers = AnswersSerializer(read_only=True, help_text="Interviews: the answer under each heading of the RCGP "
                                                          "method (null: not covered).")
    decisions = serializers.CharField(read_only=True, help_text="Review meetings.")
    support_plan = serializers.CharField(read_only=True, help_text="Review meetings: the agreed support plan.")
    support_given = serializers.ListField(source="support_kinds", child=serializers.ChoiceField(
        choices=SupportKind.choices), read_only=True, help_text="The kinds of support given at it.")
    notes = serializers.SerializerMethodField(help_text="Notes for the RCGP team: null for anyone else.")
    shared = serializers.BooleanField(read_only=True, help_text="Shared with the practice and its commissioner.")
    recorded_at = serializers.DateTimeField(read_only=True)
    version = serializers.IntegerField(read_only=True)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_notes(self, record):
        return record.notes if record.for_team else None


class DeliveryRecordFilter(django_filters.FilterSet):
    contract = django_filters.CharFilter(field_name="contract__reference", lookup_expr="iexact",
                                         help_text="Contract reference.")
    kind = django_filters.ChoiceFilter(choices=RecordKind.choices)

    class Meta:
        model = DeliveryRecord
        fields = ["contract", "kind"]


@extend_schema_view(
    list=extend_schema(summary="Delivery records of contracts (filter by ?contract=REF&kind=)",
                       description="Visits, remote meetings, structured interviews and review meetings, with the "
                                   "kinds of support given at each. The contract's RCGP team sees all of them; its "
                                   "practice's and commissioner's users the records shared with them (never an "
                                   "interview, never the notes); NHSE none. Cursor-paginated, newest first; "
                                   "`?format=csv|xlsx` exports every match."),
    retrieve=extend_schema(summary="One delivery record (404 if you may not see it)"))
class DeliveryRecordViewSet(ExportableMixin, viewsets.ReadOnlyModelViewSet):
    """Delivery records the caller may see."""

    serializer_class = DeliveryRecordSerializer
    filterset_class = DeliveryRecordFilter
    pagination_class = cursor_pagination("-happened_on", "-id")
    lookup_value_regex = "[0-9]+"
    export_name = "delivery-records"

    def get_queryset(self):
        user = self.request.user
        team = access.on_contract(rcgp_team).q(user)
        for_team = (Value(team, output_field=BooleanField()) if isinstance(team, bool)
                    else Case(When(team, then=Value(True)), default=Value(False), output_field=BooleanField()))
        return access.records_for(user).select_related("contract").annotate(for_team=for_team)
