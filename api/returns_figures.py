"""NHS England's figures, targets and allocations (returns/):

- GET /api/v1/returns/figures/?financial_year=: allocated, committed, spent and forecast, supported practices, MoUs
  missing and case studies by region (the regions the caller may see), then "region not known" and England for
  national NHSE and RCGP admin;
- GET /api/v1/returns/figures/icbs/?financial_year=&region=: the same by ICB of one region (404 for a region the
  caller may not see);
- GET /api/v1/returns/targets/?financial_year=: each deadline × region × target, with its status;
- GET /api/v1/returns/allocations/?financial_year=&region=: the allocations entered.
Each answers `?format=csv|xlsx`. Only national NHSE, NHSE regional teams (their own region) and RCGP admin may use
them: everyone else is refused (403), as on /api/v1/reports/funding/. Who sees what is returns/access.py.
"""

from django.urls import path
from django_filters import rest_framework as django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, serializers, viewsets
from rest_framework.response import Response

from api.views import ExportableMixin, ReportView, cursor_pagination
from contracts.funding import financial_year as year_bounds
from returns import access, selectors
from returns.figures import figures_by_icb, figures_by_region
from returns.models import Allocation
from returns.targets import target_board

MONEY = {"max_digits": 14, "decimal_places": 2, "coerce_to_string": False}


class SeesReturns(permissions.BasePermission):
    """National NHSE, a regional team and RCGP admin (returns.access.regions_for)."""

    message = "Your role cannot use this endpoint."

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and access.regions_for(request.user))


class ReturnsYearQuery(serializers.Serializer):
    financial_year = serializers.IntegerField(
        required=False, min_value=2000, max_value=2100,
        help_text="The April-March year that starts in this year (2025 is 1 April 2025 to 31 March 2026); the "
                  "current one by default.")


class ReturnsIcbQuery(ReturnsYearQuery):
    region = serializers.CharField(required=False, help_text="NHS England region code, Y56 to Y63; every region "
                                                             "you may see by default.")


class ReturnsFiguresRowSerializer(serializers.Serializer):
    financial_year = serializers.CharField(help_text="e.g. 2025-26.")
    region = serializers.CharField(help_text="The region's code (of the ICB's region, by ICB); 'england'; empty "
                                             "when not known.")
    key = serializers.CharField(help_text="The region's code (Y56-Y63), the ICB's ODS code, 'england', or empty "
                                          "for the contracts whose region is not known.")
    label = serializers.CharField()
    allocation_entered = serializers.BooleanField(help_text="Whether national NHSE entered an allocation.")
    allocated = serializers.DecimalField(help_text="The budget national NHSE gives it for the year (a region "
                                                   "without its own: the sum of its ICBs').", **MONEY)
    committed = serializers.DecimalField(help_text="The agreed value of agreements signed in the year.", **MONEY)
    committed_percent = serializers.IntegerField(allow_null=True, help_text="Of the allocation; null without one.")
    spent = serializers.DecimalField(help_text="Payments made in the year (paid invoices less paid refunds).",
                                     **MONEY)
    spent_percent = serializers.IntegerField(allow_null=True, help_text="Of the allocation; null without one.")
    forecast = serializers.DecimalField(help_text="Spent plus what is still to pay on the year's signed agreements "
                                                  "of contracts still running.", **MONEY)
    supported = serializers.IntegerField(help_text="Contracts commissioned in the year (not enquiries or exits).")
    mous_missing = serializers.IntegerField(help_text="Of those, without a signed agreement.")
    case_studies = serializers.IntegerField(help_text="Final case studies written in the year.")


class ReturnsTargetRowSerializer(serializers.Serializer):
    financial_year = serializers.CharField()
    deadline = serializers.IntegerField(help_text="1, 2 or 3: the year's returns in order.")
    due_at = serializers.DateTimeField()
    passed = serializers.BooleanField(help_text="Whether the deadline has passed (judged on the figures then).")
    region = serializers.CharField(help_text="Region code, or 'england'.")
    region_name = serializers.CharField()
    measure = serializers.CharField(help_text="committed, spent, mous or case_studies.")
    target = serializers.CharField(help_text="e.g. '75% spent'.")
    value = serializers.IntegerField(allow_null=True, help_text="The percentage or count judged (MoUs: how many "
                                                                "are missing); null without an allocation.")
    status = serializers.CharField(help_text="met, missed, on_track, at_risk or no_allocation.")
    status_label = serializers.CharField()


class ReturnsAllocationSerializer(serializers.ModelSerializer):
    icb = serializers.CharField(source="icb.ods_code", allow_null=True, default=None,
                                help_text="The ICB's ODS code; null for the region's own budget.")
    icb_name = serializers.CharField(source="icb.label", allow_null=True, default=None)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=False)

    class Meta:
        model = Allocation
        fields = ["id", "financial_year", "region", "icb", "icb_name", "amount", "note", "updated_at", "version"]


def _year(query):
    return query.get("financial_year") or selectors.current_financial_year()


class ReturnsReportView(ReportView):
    permission_classes = [permissions.IsAuthenticated, SeesReturns]
    query_serializer = ReturnsYearQuery


class ReturnsFiguresView(ReturnsReportView):
    export_name = "returns-figures"
    export_serializer = ReturnsFiguresRowSerializer

    @extend_schema(summary="NHS England's figures by region (and England) for one financial year",
                   parameters=[ReturnsYearQuery], responses=ReturnsFiguresRowSerializer(many=True),
                   description="National NHSE and RCGP admin: every region, 'region not known' (when some "
                               "contracts have none) and England; a regional team: its region. Figures so far in "
                               "the year (returns/figures.py).")
    def get(self, request):
        year = _year(self.query(request))
        england = access.sees_england(request.user)
        rows, total = figures_by_region(access.figure_contracts(request.user), year=year,
                                        regions=None if england else access.regions_for(request.user))
        label = year_bounds(year)[2]
        data = [{"financial_year": label, "region": row.key, **row.as_dict()}
                for row in [*rows, *([total] if england else [])]]
        return Response(ReturnsFiguresRowSerializer(data, many=True).data)


class ReturnsIcbFiguresView(ReturnsReportView):
    query_serializer = ReturnsIcbQuery
    export_name = "returns-figures-icbs"
    export_serializer = ReturnsFiguresRowSerializer

    @extend_schema(summary="NHS England's figures by ICB of one region for one financial year",
                   parameters=[ReturnsIcbQuery], responses=ReturnsFiguresRowSerializer(many=True),
                   description="404 for a region you may not see; without region, every region you may see "
                               "(four queries a region). key: the ICB's ODS code.")
    def get(self, request):
        query = self.query(request)
        year = _year(query)
        if query.get("region"):
            regions = [access.require_region(request.user, query["region"].strip().upper())]
        else:
            regions = access.regions_for(request.user)
        contracts, label, data = access.figure_contracts(request.user), year_bounds(year)[2], []
        for region in regions:
            data += [{"financial_year": label, "region": region, **row.as_dict()}
                     for row in figures_by_icb(contracts, year=year, region=region)]
        return Response(ReturnsFiguresRowSerializer(data, many=True).data)


class ReturnsTargetsView(ReturnsReportView):
    export_name = "returns-targets"
    export_serializer = ReturnsTargetRowSerializer

    @extend_schema(summary="Each deadline's targets and their status by region (and England)",
                   parameters=[ReturnsYearQuery], responses=ReturnsTargetRowSerializer(many=True),
                   description="One row per deadline × region × target: met or missed once the deadline has "
                               "passed (on the figures then), else on track or at risk (returns/targets.py).")
    def get(self, request):
        year = _year(self.query(request))
        england = access.sees_england(request.user)
        board = target_board(access.figure_contracts(request.user), year=year, now=selectors.now(),
                             regions=None if england else access.regions_for(request.user))
        label, data = year_bounds(year)[2], []
        for item in board:
            deadline = item["deadline"]
            rows = [*item["regions"], *([item["england"]] if england else [])]
            for row in rows:
                figures = row["figures"]
                for target in row["targets"]:
                    data.append({"financial_year": label, "deadline": deadline.number, "due_at": deadline.due_at,
                                 "passed": item["passed"], "region": figures.key, "region_name": figures.label,
                                 **target.as_dict()})
        return Response(ReturnsTargetRowSerializer(data, many=True).data)


class ReturnsAllocationFilter(django_filters.FilterSet):
    financial_year = django_filters.NumberFilter(help_text="The year it starts: 2025 is 2025-26.")
    region = django_filters.CharFilter(help_text="Region code, Y56 to Y63.")

    class Meta:
        model = Allocation
        fields = ["financial_year", "region"]


@extend_schema_view(list=extend_schema(
    summary="Allocations national NHSE entered, by region and ICB",
    description="The regions you may see. Cursor-paginated; `?format=csv|xlsx` exports every match."))
class ReturnsAllocationViewSet(ExportableMixin, viewsets.GenericViewSet):
    permission_classes = [permissions.IsAuthenticated, SeesReturns]
    serializer_class = ReturnsAllocationSerializer
    filterset_class = ReturnsAllocationFilter
    pagination_class = cursor_pagination("pk")
    export_name = "returns-allocations"

    def get_queryset(self):
        return selectors.allocations_for(self.request.user)


# Appended to /api/v1/ in api/urls.py.
URLS = [
    path("returns/figures/", ReturnsFiguresView.as_view(), name="returns-figures"),
    path("returns/figures/icbs/", ReturnsIcbFiguresView.as_view(), name="returns-figures-icbs"),
    path("returns/targets/", ReturnsTargetsView.as_view(), name="returns-targets"),
    path("returns/allocations/", ReturnsAllocationViewSet.as_view({"get": "list"}), name="returns-allocation-list"),
]
