"""GET /api/v1/contractual-actions/: contractual action on practices' GMS/PMS/APMS contracts (contractual.access),
each case with its notices, newest first. Read-only, under the same rules as the pages: the commissioner's leads
see everything; NHSE sees type, dates and outcome, never text (the metadata serializers); a practice's users see
only the notices served on their practice (and the case's dates, not its text); RCGP sees nothing."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from api.views import cursor_pagination
from contractual import access
from contractual.models import ContractualCase
from core.roles import PRACTICE_ROLES


class NoticeMetadataSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    kind = serializers.CharField(read_only=True)
    dated_on = serializers.DateField(read_only=True)
    served_on = serializers.DateField(read_only=True)
    remedy_by = serializers.DateField(read_only=True)
    appeal_by = serializers.DateField(read_only=True)
    shorter_ground = serializers.CharField(read_only=True)
    outcome = serializers.CharField(read_only=True)
    outcome_on = serializers.DateField(read_only=True)


class NoticeSerializer(NoticeMetadataSerializer):
    terms_breached = serializers.CharField(read_only=True)
    actions_required = serializers.CharField(read_only=True)
    shorter_reason = serializers.CharField(read_only=True)


class CaseMetadataSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    practice = serializers.CharField(source="practice.ods_code", read_only=True, help_text="Practice ODS code.")
    state = serializers.CharField(read_only=True)
    source = serializers.CharField(read_only=True)
    received_on = serializers.DateField(read_only=True)
    cqc_visit_on = serializers.DateField(read_only=True)
    cqc_notified_within_one_working_day = serializers.BooleanField(read_only=True, allow_null=True)
    performer_referred_on = serializers.DateField(read_only=True)
    closed_on = serializers.DateField(read_only=True)
    notices = NoticeMetadataSerializer(many=True, read_only=True, source="visible_notices")


class PracticeCaseSerializer(CaseMetadataSerializer):
    """A practice's users: the case's dates and the notices served on them, with the notices' words."""

    notices = NoticeSerializer(many=True, read_only=True, source="visible_notices")


class CaseSerializer(PracticeCaseSerializer):
    summary = serializers.CharField(read_only=True)
    decisions = serializers.SerializerMethodField()

    def get_decisions(self, case) -> list[dict]:
        return [{"kind": d.kind, "decided_on": d.decided_on, "reasons": d.reasons,
                 "legal_advice_on": d.legal_advice_on} for d in case.decisions.all()]


@extend_schema_view(list=extend_schema(
    summary="Contractual action on practices' contracts, with their notices",
    description="For the practice's commissioner leads; NHSE reads the type, dates and outcomes only; a practice's "
                "users read the notices served on their practice. Not RCGP's support contracts (/contracts/). "
                "Cursor-paginated, 100 a page, newest first."))
class ContractualActionViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    pagination_class = cursor_pagination("-pk")

    def get_serializer_class(self):
        user = self.request.user
        if getattr(self, "swagger_fake_view", False):  # the schema describes the commissioner lead's answer
            return CaseSerializer
        if not access.sees_text(user):
            return CaseMetadataSerializer
        return PracticeCaseSerializer if user.role in PRACTICE_ROLES else CaseSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ContractualCase.objects.none()
        user = self.request.user
        notices = access.notices_for(user)
        return (access.cases_with_notices_for(user).select_related("practice")
                .prefetch_related(Prefetch("notices", queryset=notices.order_by("dated_on", "pk"),
                                           to_attr="visible_notices"), "decisions"))
