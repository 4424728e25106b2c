"""Time and money of contracts (finance/):

- GET /api/v1/payments/: invoices and refunds, by funder, of the contracts the caller may see
  (finance.access.payments_for: everyone who sees the contract, NHSE included). "Spent" counts the paid ones, in
  the financial year of ``paid_on``. `?format=csv|xlsx` exports every match.
- GET /api/v1/delivery-costs/: each contract's delivery cost for its RCGP team (its deputy lead, the advisers on
  it, RCGP admin): days funded and used, the cost of the days, other costs, the costed plan and the value.
- GET /api/v1/adviser-load/: every active adviser's live contracts and days, for deputy leads and RCGP admin.
"""

from django_filters import rest_framework as django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, serializers, viewsets
from rest_framework.response import Response

from api.views import LIST_RENDERERS, ExportableMixin, RolePermission, cursor_pagination
from contracts.models import Contract, Payment
from contracts.payment_models import Funder
from finance import access, selectors

MONEY = {"max_digits": 12, "decimal_places": 2, "coerce_to_string": False, "read_only": True}
DAYS = {"max_digits": 8, "decimal_places": 2, "coerce_to_string": False, "read_only": True}


class PaymentSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    contract = serializers.CharField(source="contract.reference", read_only=True)
    funder = serializers.ChoiceField(choices=Funder.choices, read_only=True)
    kind = serializers.ChoiceField(choices=Payment.Kind.choices, read_only=True)
    reference = serializers.CharField(read_only=True, help_text="Invoice or credit note number.")
    amount = serializers.DecimalField(help_text="Pounds; a refund is a positive amount.", **MONEY)
    invoiced_on = serializers.DateField(read_only=True)
    paid_on = serializers.DateField(read_only=True, allow_null=True,
                                    help_text="When it was paid (a refund: made); empty until then. Spent counts "
                                              "paid invoices less paid refunds in the financial year of this date.")
    version = serializers.IntegerField(read_only=True)


class PaymentFilter(django_filters.FilterSet):
    contract = django_filters.CharFilter(field_name="contract__reference", help_text="Contract reference.")
    funder = django_filters.ChoiceFilter(choices=Funder.choices)
    kind = django_filters.ChoiceFilter(choices=Payment.Kind.choices)
    paid = django_filters.BooleanFilter(field_name="paid_on", lookup_expr="isnull", exclude=True,
                                        help_text="true: paid (or made) only; false: awaiting payment only.")

    class Meta:
        model = Payment
        fields = ["contract", "funder", "kind", "paid"]


@extend_schema_view(
    list=extend_schema(summary="Invoices and refunds of the contracts you may see",
                       description="By funder. Spent = paid invoices less paid refunds, counted in the financial "
                                   "year of paid_on. Cursor-paginated; `?format=csv|xlsx` exports every match."),
    retrieve=extend_schema(summary="One invoice or refund (404 if you may not see its contract)"))
class PaymentViewSet(ExportableMixin, viewsets.ReadOnlyModelViewSet):
    """Invoices and refunds of the contracts the caller may see."""

    serializer_class = PaymentSerializer
    filterset_class = PaymentFilter
    pagination_class = cursor_pagination("-pk")
    lookup_value_regex = "[0-9]+"
    export_name = "payments"

    def get_queryset(self):
        return access.payments_for(self.request.user).select_related("contract")


class DeliveryCostSerializer(serializers.Serializer):
    contract = serializers.CharField(source="reference", read_only=True)
    state = serializers.CharField(read_only=True)
    value = serializers.DecimalField(help_text="The contract's agreed value.", **MONEY)
    days_costed = serializers.DecimalField(help_text="Adviser days in the costed plan.", **DAYS)
    days_approved = serializers.DecimalField(help_text="Extra days the deputy lead approved.", **DAYS)
    days_funded = serializers.DecimalField(help_text="Costed + approved.", **DAYS)
    days_used = serializers.DecimalField(help_text="Days logged.", **DAYS)
    planned_cost = serializers.DecimalField(help_text="The costed plan: its days × their day rates.", **MONEY)
    days_cost = serializers.DecimalField(help_text="Days logged × the rate each was priced at.", **MONEY)
    other_costs = serializers.DecimalField(source="other_costs_total", **MONEY)
    delivery_cost = serializers.DecimalField(help_text="days_cost + other_costs. Not 'spent' (payments made).",
                                             **MONEY)


class DeliveryCostFilter(django_filters.FilterSet):
    contract = django_filters.CharFilter(field_name="reference", help_text="Contract reference.")

    class Meta:
        model = Contract
        fields = ["contract"]


@extend_schema_view(list=extend_schema(
    summary="Each contract's delivery cost, for its RCGP team",
    description="The contract's deputy lead, the advisers on its team and RCGP admin; nobody else sees any. "
                "Cursor-paginated; `?format=csv|xlsx` exports every match."))
class DeliveryCostViewSet(ExportableMixin, viewsets.GenericViewSet):
    """Each contract's days funded and used and its delivery cost against its plan and value."""

    serializer_class = DeliveryCostSerializer
    filterset_class = DeliveryCostFilter
    pagination_class = cursor_pagination("reference")
    export_name = "delivery-costs"

    def get_queryset(self):
        contracts = access.delivery_contracts_for(self.request.user)
        return selectors.with_delivery_summary(contracts.order_by("reference"))

    def prepare(self, objects):
        for contract in objects:
            contract.days_funded = contract.days_costed + contract.days_approved
            contract.delivery_cost = contract.days_cost + contract.other_costs_total
        return objects


class AdviserLoadSerializer(serializers.Serializer):
    adviser = serializers.IntegerField(source="adviser.pk", read_only=True)
    name = serializers.CharField(read_only=True)
    live_contracts = serializers.ListField(child=serializers.CharField(), read_only=True,
                                          help_text="References of the live contracts they are on.")
    capacity = serializers.IntegerField(read_only=True, help_text="How many live contracts at once.")
    days_funded = serializers.DecimalField(source="funded", **DAYS)
    days_used = serializers.DecimalField(source="used", **DAYS)
    days_remaining = serializers.DecimalField(source="remaining", **DAYS)


@extend_schema_view(list=extend_schema(
    summary="Every active adviser's live contracts and days (deputy leads and RCGP admin)",
    description="Days funded (costed + approved) and used on their live contracts, and their capacity. "
                "`?format=csv|xlsx` exports it."))
class AdviserLoadViewSet(viewsets.ViewSet):
    """The advisers' load: deputy leads and RCGP admin only."""

    permission_classes = [permissions.IsAuthenticated, RolePermission]
    allowed = access.SEES_ADVISER_LOAD
    renderer_classes = LIST_RENDERERS
    serializer_class = AdviserLoadSerializer
    export_serializer = AdviserLoadSerializer
    export_name = "adviser-load"

    def list(self, request):
        rows = selectors.adviser_load()
        for row in rows:
            row["live_contracts"] = [contract.reference for contract in row["contracts"]]
        return Response(AdviserLoadSerializer(rows, many=True).data)


# (prefix, viewset, basename) of the three, registered in api/urls.py.
ROUTES = [("payments", PaymentViewSet, "payment"), ("delivery-costs", DeliveryCostViewSet, "delivery-cost"),
          ("adviser-load", AdviserLoadViewSet, "adviser-load")]
