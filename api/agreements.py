"""GET /api/v1/agreements/: contracts' agreements in full, for the contract's parties (agreements.access: its practice,
its commissioner, its RCGP team and RCGP admin). NHSE sees none (whether and when a contract's agreement was signed
is the contract API's ``mou_signed_on``); one it may not read answers 404. Looked up by contract reference."""

from django_filters import rest_framework as django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from agreements.access import agreements_for, may_ever_read
from agreements.models import Agreement, Party
from api.views import cursor_pagination


class SignatureSerializer(serializers.Serializer):
    party = serializers.ChoiceField(choices=Party.choices, read_only=True)
    name = serializers.CharField(read_only=True)
    position = serializers.CharField(read_only=True)
    signed_on = serializers.DateField(read_only=True, allow_null=True)


class LeadSerializer(serializers.Serializer):
    kind = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    role = serializers.CharField(read_only=True)
    organisation = serializers.CharField(read_only=True)
    email = serializers.CharField(read_only=True)
    phone = serializers.CharField(read_only=True)


class ObjectiveSerializer(serializers.Serializer):
    group = serializers.CharField(read_only=True)
    objective = serializers.CharField(read_only=True)
    measure = serializers.CharField(read_only=True, help_text="How we will know it is met.")
    achieve_by = serializers.DateField(read_only=True, allow_null=True)


class ContributionSerializer(serializers.Serializer):
    theme = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)
    commissioner_amount = serializers.DecimalField(max_digits=10, decimal_places=2, read_only=True, allow_null=True,
                                                   help_text="NHSE/commissioner contribution in pounds, if a sum.")
    commissioner_detail = serializers.CharField(read_only=True)
    practice_in_kind = serializers.CharField(read_only=True)
    rcgp_amount = serializers.DecimalField(max_digits=10, decimal_places=2, read_only=True, allow_null=True)
    rcgp_detail = serializers.CharField(read_only=True)


class AgreementSerializer(serializers.Serializer):
    contract = serializers.CharField(source="contract.reference", read_only=True, help_text="Contract reference.")
    practice = serializers.CharField(source="contract.practice.ods_code", read_only=True)
    drafted_on = serializers.DateField(read_only=True)
    starts_on = serializers.DateField(read_only=True, allow_null=True)
    ends_on = serializers.DateField(read_only=True, allow_null=True)
    signed_on = serializers.DateField(read_only=True, allow_null=True,
                                      help_text="When the last of the three parties signed; null until all have.")
    signatures = SignatureSerializer(many=True, read_only=True)
    leads = LeadSerializer(many=True, read_only=True)
    objectives = ObjectiveSerializer(many=True, read_only=True)
    contributions = ContributionSerializer(many=True, read_only=True)
    exit_strategy = serializers.CharField(read_only=True)
    termination_terms = serializers.CharField(read_only=True)
    payment_terms = serializers.CharField(read_only=True)
    version = serializers.IntegerField(read_only=True)


class AgreementFilter(django_filters.FilterSet):
    signed = django_filters.BooleanFilter(field_name="signed_on", lookup_expr="isnull", exclude=True,
                                          help_text="true: signed by all three parties; false: not yet.")

    class Meta:
        model = Agreement
        fields = ["signed"]


@extend_schema_view(
    list=extend_schema(summary="Agreements of the contracts you are a party to (filter by ?signed=true|false)",
                       description="Each contract's agreement: signatures, leads, SMART objectives by group, "
                                   "contributions by party, exit strategy, termination and payment terms. For the "
                                   "contract's practice, commissioner, RCGP team and RCGP admin; never NHSE. "
                                   "Cursor-paginated, newest first."),
    retrieve=extend_schema(summary="One contract's agreement, by contract reference (404 if you may not see it)"))
class AgreementViewSet(viewsets.ReadOnlyModelViewSet):
    """Agreements the caller may read."""

    serializer_class = AgreementSerializer
    filterset_class = AgreementFilter
    pagination_class = cursor_pagination("-pk")
    lookup_field = "contract__reference"
    lookup_url_kwarg = "reference"
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        user = self.request.user
        if not may_ever_read(user):
            return Agreement.objects.none()
        return agreements_for(user).select_related("contract__practice").prefetch_related(
            "signatures", "leads", "objectives", "contributions")
