"""The regions' data returns (returns/), read-only, scoped by returns.access:

- GET /api/v1/returns/data-returns/: the submitted returns the caller may read (national NHSE and RCGP admin every
  region's; an NHSE regional team its own region's), each with its particulars and summary figures; filters
  ``financial_year``, ``number`` (the deadline's) and ``region``. Cursor-paginated; `?format=csv|xlsx` exports
  every match.
- GET /api/v1/returns/data-returns/<id>/: one return's full frozen content (summary, targets, practices, case
  studies), exactly as it was submitted.
- GET /api/v1/returns/rollup/?financial_year=&number=: England's roll-up (national NHSE and RCGP admin): for each
  of the year's deadlines (or the one ``number`` names), each region's latest submitted return's figures, then
  England's sum; `?format=csv|xlsx`.
"""

from django.db.models.fields.json import KeyTransform
from django_filters import rest_framework as django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, serializers, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from api.views import LIST_RENDERERS, ExportableMixin, cursor_pagination
from contracts.funding import financial_year
from core.regions import Region
from returns import access
from returns.builder import rollup_build, who
from returns.models import DataReturn
from returns.targets import deadlines_for

MONEY = {"max_digits": 14, "decimal_places": 2, "coerce_to_string": False, "read_only": True}


class ReturnSummarySerializer(serializers.Serializer):
    allocated = serializers.DecimalField(help_text="The region's budget for the year (pounds).", **MONEY)
    committed = serializers.DecimalField(help_text="Agreed value of agreements signed in the year.", **MONEY)
    spent = serializers.DecimalField(help_text="Payments made in the year (paid invoices less paid refunds).",
                                     **MONEY)
    forecast = serializers.DecimalField(help_text="Spent plus what is still to pay on the year's signed "
                                                  "agreements of contracts still running.", **MONEY)
    committed_percent = serializers.IntegerField(read_only=True, allow_null=True,
                                                 help_text="Committed as a % of allocated; null without one.")
    spent_percent = serializers.IntegerField(read_only=True, allow_null=True)
    supported = serializers.IntegerField(read_only=True, help_text="Contracts commissioned in the year.")
    mous_missing = serializers.IntegerField(read_only=True, help_text="Supported contracts without a signed MoU.")
    case_studies = serializers.IntegerField(read_only=True, help_text="Final case studies written in the year.")


class DataReturnSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    region = serializers.ChoiceField(choices=Region.choices, read_only=True, help_text="NHS England region code.")
    financial_year = serializers.IntegerField(source="deadline.financial_year", read_only=True,
                                              help_text="The April-March year it starts in: 2026 is 2026-27.")
    deadline = serializers.IntegerField(source="deadline.number", read_only=True,
                                        help_text="The deadline's number in the year (1, 2, 3).")
    due_at = serializers.DateTimeField(source="deadline.due_at", read_only=True)
    number = serializers.IntegerField(read_only=True, help_text="1 for the first submission, 2 for the next...")
    reason = serializers.CharField(read_only=True, help_text="Why it was resubmitted (empty for the first).")
    submitted_at = serializers.DateTimeField(read_only=True)
    submitted_by = serializers.SerializerMethodField()
    summary = ReturnSummarySerializer(read_only=True, help_text="The figures as submitted.")

    def get_submitted_by(self, data_return) -> str:
        return who(data_return.submitted_by)


class DataReturnDetailSerializer(DataReturnSerializer):
    content = serializers.JSONField(read_only=True, help_text="The return as frozen: region, deadline, summary, "
                                                              "targets, practices, case_studies (amounts are text "
                                                              "of pounds, dates ISO).")


class DataReturnFilter(django_filters.FilterSet):
    financial_year = django_filters.NumberFilter(field_name="deadline__financial_year",
                                                 help_text="The April-March year it starts in.")
    number = django_filters.NumberFilter(field_name="deadline__number", help_text="The deadline's number (1, 2, 3).")
    region = django_filters.ChoiceFilter(choices=Region.choices)

    class Meta:
        model = DataReturn
        fields = ["financial_year", "number", "region"]


@extend_schema_view(
    list=extend_schema(summary="The regions' submitted data returns you may read",
                       description="National NHSE and RCGP admin: every region's; an NHSE regional team: its "
                                   "region's. Every version is listed (a resubmission is a new number). Cursor-"
                                   "paginated; `?format=csv|xlsx` exports every match."),
    retrieve=extend_schema(summary="One submitted data return, as frozen (404 if you may not read its region's)"))
class DataReturnViewSet(ExportableMixin, viewsets.ReadOnlyModelViewSet):
    """The submitted data returns the caller may read."""

    filterset_class = DataReturnFilter
    pagination_class = cursor_pagination("-pk")
    lookup_value_regex = "[0-9]+"
    export_name = "data-returns"

    def get_serializer_class(self):
        return DataReturnDetailSerializer if self.action == "retrieve" else DataReturnSerializer

    def get_queryset(self):
        returns = (access.returns_for(self.request.user).select_related("deadline", "submitted_by")
                   .annotate(summary=KeyTransform("summary", "content")))
        # A list reads only each return's summary, not its rows.
        return returns if self.action == "retrieve" else returns.defer("content")


class RollupQuery(serializers.Serializer):
    financial_year = serializers.IntegerField(min_value=2000, max_value=2100,
                                              help_text="The April-March year that starts in this year.")
    number = serializers.IntegerField(required=False, min_value=1, max_value=99,
                                      help_text="One deadline of the year (1, 2, 3); all of them without it.")


class RollupRowSerializer(serializers.Serializer):
    financial_year = serializers.CharField(read_only=True, help_text="e.g. 2026-27.")
    deadline = serializers.IntegerField(read_only=True)
    region = serializers.CharField(read_only=True, help_text="Region code, or 'england' for the sum.")
    region_name = serializers.CharField(read_only=True)
    submitted = serializers.BooleanField(read_only=True, help_text="England's: whether every region submitted.")
    return_id = serializers.IntegerField(read_only=True, allow_null=True,
                                         help_text="The region's latest return (/api/v1/returns/data-returns/<id>/).")
    return_number = serializers.IntegerField(read_only=True, allow_null=True)
    submitted_at = serializers.DateTimeField(read_only=True, allow_null=True)
    summary = ReturnSummarySerializer(read_only=True, allow_null=True,
                                      help_text="Null for a region that has not submitted.")


class SeesEngland(permissions.BasePermission):
    message = "Only national NHS England and RCGP admin read England's roll-up."

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and access.sees_england(request.user))


def rollup_rows(rollup, year):
    label = financial_year(year)[2]
    number = rollup["deadline"]["number"]
    rows = [{"financial_year": label, "deadline": number, "region": region["code"], "region_name": region["name"],
             "submitted": region["submitted"], "return_id": region.get("return_id"),
             "return_number": region.get("number"), "submitted_at": region.get("submitted_at"),
             "summary": region.get("summary")} for region in rollup["regions"]]
    rows.append({"financial_year": label, "deadline": number, "region": "england", "region_name": "England",
                 "submitted": not rollup["not_submitted"], "return_id": None, "return_number": None,
                 "submitted_at": None, "summary": rollup["summary"]})
    return rows


class RollupView(APIView):
    permission_classes = [permissions.IsAuthenticated, SeesEngland]
    renderer_classes = LIST_RENDERERS
    export_name = "data-returns-rollup"
    export_serializer = RollupRowSerializer

    @extend_schema(summary="England's roll-up of the regions' latest data returns (national NHSE, RCGP admin)",
                   parameters=[RollupQuery], responses=RollupRowSerializer(many=True),
                   description="For each of the year's deadlines (or the one `number` names): each region's latest "
                               "submitted return's figures (null summary: not submitted), then England's sum of "
                               "them. `?format=csv|xlsx`.")
    def get(self, request):
        query = RollupQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        year, number = query.validated_data["financial_year"], query.validated_data.get("number")
        returns = access.returns_for(request.user)
        rows = []
        for deadline in deadlines_for(year):
            if number is None or deadline.number == number:
                rows += rollup_rows(rollup_build(returns, deadline), year)
        return Response(RollupRowSerializer(rows, many=True).data)
