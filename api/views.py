"""API views: thin. Each queryset comes from the access modules (via the domain selectors) for
request.user, so hidden objects answer 404; writes go through services."""

from django.db.models import F, OuterRef, Prefetch, Subquery
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, permissions, viewsets
from rest_framework.generics import ListAPIView
from rest_framework.pagination import CursorPagination
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from api import filters, serializers
from api import schema as _schema  # noqa: F401  (registers the token scheme with drf-spectacular)
from api.errors import PreconditionFailed, PreconditionRequired, Rejected
from api.parsers import JSONParser  # bounded size and depth
from api.renderers import CSVRenderer, XLSXRenderer
from contracts import access as contract_access
from contracts.figures import programme_figures
from contracts.funding import funding_by_programme
from core.errors import DomainError
from core.exports import EXPORT_FORMATS
from core.roles import is_any_nhse, sees_programme_figures
from forwardplans import access as document_access
from forwardplans.models import PlanVersion
from forwardplans.permissions import can_update_progress
from forwardplans.selectors import rag_counts_by_commissioner, summaries_for_plans
from forwardplans.services import StaleEdit, action_record_progress
from practices import access as practice_access
from practices.models import Commissioner, Inspection, SpecialMeasuresEpisode
from practices.selectors import KEY_QUESTION_FIELDS, attach_current_key_questions, practice_list

READ_RENDERERS = [JSONRenderer]
LIST_RENDERERS = [*READ_RENDERERS, CSVRenderer, XLSXRenderer]


def cursor_pagination(*ordering):
    return type("CursorPagination", (ApiCursorPagination,), {"ordering": ordering})


class ApiCursorPagination(CursorPagination):
    page_size = 100


class ExportableMixin:
    """Lists answer JSON (cursor-paginated), CSV or XLSX (``?format=``, every row that matches the filters).
    Single objects answer JSON. ``prepare(objects)`` can load what a page needs in bulk."""

    export_name = "export"

    def get_renderers(self):
        renderers = LIST_RENDERERS if getattr(self, "action", "list") == "list" else READ_RENDERERS
        return [renderer() for renderer in renderers]

    def is_export(self):
        renderer = getattr(self.request, "accepted_renderer", None)
        return getattr(renderer, "format", None) in EXPORT_FORMATS

    def paginate_queryset(self, queryset):
        return None if self.is_export() else super().paginate_queryset(queryset)

    def prepare(self, objects):
        return objects

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        objects = self.prepare(list(queryset if page is None else page))
        data = self.get_serializer(objects, many=True).data
        return Response(data) if page is None else self.get_paginated_response(data)


class RolePermission(permissions.BasePermission):
    """The view's ``allowed`` rules predicate must pass (after authentication)."""

    message = "Your role cannot use this endpoint."

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and view.allowed.test(request.user))


# Practices and inspections ---------------------------------------------------------------------

@extend_schema_view(
    list=extend_schema(summary="Practices you may see, with current CQC ratings",
                       description="Cursor-paginated, 100 a page; `?format=csv|xlsx` exports every match."),
    retrieve=extend_schema(summary="One practice and its inspection history (newest first)"),
)
class PracticeViewSet(ExportableMixin, viewsets.ReadOnlyModelViewSet):
    """Practices (public register data) the caller may see, with current CQC ratings. Lists are cursor-paginated
    (100 a page); `?format=csv` or `?format=xlsx` exports every practice that matches the filters."""

    filterset_class = filters.PracticeFilter
    pagination_class = cursor_pagination("ods_code")
    lookup_field = "ods_code"
    lookup_value_regex = "[^/]+"
    export_name = "practices"

    def get_queryset(self):
        # The commissioner's code, not the commissioner: a page of 100 commissioner objects for one field each.
        queryset = practice_list(self.request.user).annotate(commissioner_code=F("commissioner__ods_code"))
        if self.action != "retrieve":
            return queryset
        # Every stage, oldest first: the list shows them, and the inspections' flags are read from them.
        return queryset.prefetch_related(
            Prefetch("inspections", queryset=Inspection.objects.prefetch_related("enforcements")),
            Prefetch("episodes", queryset=SpecialMeasuresEpisode.objects.all(), to_attr="special_measures_episodes"))

    def get_serializer_class(self):
        return serializers.PracticeDetailSerializer if self.action == "retrieve" else serializers.PracticeSerializer

    def prepare(self, objects):
        return attach_current_key_questions(objects)

    def retrieve(self, request, *args, **kwargs):
        practice = self.get_object()
        current = next((i for i in practice.inspections.all() if i.pk == practice.current_inspection_id), None)
        practice.current_key_questions = (None if current is None else
                                          {field: getattr(current, field) for field in KEY_QUESTION_FIELDS})
        serializers.attach_special_measures(practice.inspections.all(), practice.special_measures_episodes)
        return Response(self.get_serializer(practice).data)


@extend_schema_view(
    list=extend_schema(summary="CQC inspections of the practices you may see"),
    retrieve=extend_schema(summary="One inspection"),
)
class InspectionViewSet(ExportableMixin, viewsets.ReadOnlyModelViewSet):
    """CQC inspections of the practices the caller may see. Lists: cursor-paginated, newest first by id;
    `?format=csv|xlsx` exports every match."""

    serializer_class = serializers.InspectionSerializer
    filterset_class = filters.InspectionFilter
    pagination_class = cursor_pagination("-pk")
    lookup_value_regex = "[0-9]+"
    export_name = "inspections"

    def get_queryset(self):
        return (practice_access.inspections_for(self.request.user).select_related("practice")
                .prefetch_related("enforcements"))

    def prepare(self, objects):
        """Each inspection's special-measures flags from its practice's episodes: one query for the page."""
        episodes = SpecialMeasuresEpisode.objects.special_measures().filter(
            practice_id__in={inspection.practice_id for inspection in objects})
        return serializers.attach_special_measures(objects, episodes)

    def retrieve(self, request, *args, **kwargs):
        return Response(self.get_serializer(self.prepare([self.get_object()])[0]).data)


# Contracts and plans ---------------------------------------------------------------------------

@extend_schema_view(
    list=extend_schema(summary="Contracts you may see: metadata, outcome and funding (no free text)"),
    retrieve=extend_schema(summary="One contract"),
)
class ContractViewSet(ExportableMixin, viewsets.ReadOnlyModelViewSet):
    """Contracts the caller may see: programme, dates, state, ratings before and after, outcome category and
    funding. No free text (notes, objectives, exit reasons). `?format=csv|xlsx` exports every match."""

    serializer_class = serializers.ContractSerializer
    filterset_class = filters.ContractFilter
    pagination_class = cursor_pagination("-commissioned_on", "reference")
    lookup_field = "reference"
    lookup_value_regex = "[^/]+"
    export_name = "contracts"

    def get_queryset(self):
        visible = contract_access.contracts_for(self.request.user)
        parent = visible.filter(pk=OuterRef("parent_id")).values("reference")[:1]
        return (visible.select_related("practice", "commissioner").prefetch_related("practices")
                .annotate(parent_reference=Subquery(parent)))


@extend_schema(summary="Forward-plan figures per plan: actions by RAG, percent complete, overdue milestones",
               description="Only plans you may see. NHSE gets the figures of every plan of the contracts it may "
                           "see, never the plans' text.")
class PlanSummaryView(ExportableMixin, ListAPIView):
    """Figures per forward plan. `?format=csv|xlsx` exports every match."""

    serializer_class = serializers.PlanSummarySerializer
    filterset_class = filters.PlanSummaryFilter
    pagination_class = cursor_pagination("pk")
    export_name = "forward-plan-summary"

    def get_queryset(self):
        # The versions without their snapshots: the plan's text, which this list never shows (nor logs as read).
        versions = Prefetch("versions", queryset=PlanVersion.objects.defer("snapshot").order_by("number"))
        return (document_access.plans_for_figures(self.request.user)
                .select_related("contract__practice", "contract__commissioner", "inspection")
                .prefetch_related(versions))

    def prepare(self, objects):
        summaries = summaries_for_plans([plan.pk for plan in objects])
        for plan in objects:
            plan.summary = summaries[plan.pk]
        return objects


# Actions: read, and RAG/progress updates with If-Match -----------------------------------------

ETAG = OpenApiParameter("ETag", OpenApiTypes.STR, OpenApiParameter.HEADER, response=["200"],
                        description='The action\'s version, e.g. "3": send it back as If-Match.')
IF_MATCH = OpenApiParameter("If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, required=True,
                            description='The ETag you read, e.g. "3". Missing: 428; not current: 412.')


def etag_for(action):
    return f'"{action.version}"'


def versions_in(if_match):
    """Versions named by an If-Match header ("3", W/"3", or a list of them); None for a bare *."""
    versions = set()
    for part in if_match.split(","):
        tag = part.strip().removeprefix("W/").strip('"')
        if tag == "*":
            return None
        if tag.isdigit():
            versions.add(int(tag))
    return versions


@extend_schema_view(
    list=extend_schema(summary="Forward-plan actions you may see (filter by ?contract=REF)"),
    retrieve=extend_schema(summary="One action, with its version as ETag", parameters=[ETAG]),
    partial_update=extend_schema(
        summary="Change RAG status and/or add a progress note",
        description="Needs If-Match with the ETag you read. Only the practice and the contract's RCGP team may "
                    "change an action; Green without uploaded evidence needs evidence_justification.",
        request=serializers.ActionUpdateSerializer, responses=serializers.ActionSerializer,
        parameters=[IF_MATCH, ETAG],
    ),
)
class ActionViewSet(ExportableMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Forward-plan actions the caller may read (the practice, the contract's RCGP team, a commissioner after
    consent), without their free text. Updates carry the version read (ETag / If-Match)."""

    serializer_class = serializers.ActionSerializer
    filterset_class = filters.ActionFilter
    pagination_class = cursor_pagination("pk")
    lookup_value_regex = "[0-9]+"
    http_method_names = ["get", "patch", "head", "options"]
    parser_classes = [JSONParser]
    export_name = "actions"

    def get_queryset(self):
        return document_access.actions_for(self.request.user).select_related("plan__contract__practice")

    def retrieve(self, request, *args, **kwargs):
        action = self.get_object()
        return Response(self.get_serializer(action).data, headers={"ETag": etag_for(action)})

    def partial_update(self, request, *args, **kwargs):
        action = self.get_object()
        if not can_update_progress.test(request.user, action.plan.contract):
            raise exceptions.PermissionDenied("You may read this action but not change it.")
        base_version = self._base_version(request, action)
        update = serializers.ActionUpdateSerializer(data=request.data)
        update.is_valid(raise_exception=True)
        data = update.validated_data
        try:  # the pages' service: one version check, under the action's row lock
            action_record_progress(action=action, actor=request.user, base_version=base_version,
                                   rag_status=data.get("rag_status"), reason=data.get("reason", ""),
                                   note=data.get("progress_note", ""),
                                   evidence_justification=data.get("evidence_justification", ""))
        except StaleEdit:
            raise PreconditionFailed("Someone else changed this action since you read it. Nothing of yours was "
                                     "saved: GET it again (its new ETag), then retry.",
                                     etag=etag_for(self.get_object())) from None
        except DomainError as exc:
            raise Rejected(str(exc)) from None
        action = self.get_object()
        return Response(self.get_serializer(action).data, headers={"ETag": etag_for(action)})

    @staticmethod
    def _base_version(request, action):
        """The version the client read, from If-Match (428 without one). Whether it is still current is the
        service's question, asked under the action's row lock; of several ETags, the one that names the version
        read here is the one meant."""
        header = request.headers.get("If-Match", "").strip()
        if not header:
            raise PreconditionRequired()
        versions = versions_in(header)
        if versions is None:
            raise PreconditionRequired("If-Match must name the version you read (its ETag), not *.")
        if not versions:
            raise PreconditionFailed(etag=etag_for(action))
        return action.version if action.version in versions else max(versions)


# Reports ---------------------------------------------------------------------------------------

class ReportView(APIView):
    permission_classes = [permissions.IsAuthenticated, RolePermission]
    renderer_classes = LIST_RENDERERS
    query_serializer = None

    def query(self, request):
        query = self.query_serializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return query.validated_data


def _commissioner(code):
    """The commissioner with this ODS code (register data), or a 400 naming the parameter."""
    commissioner = Commissioner.objects.filter(ods_code=code.strip().upper()).first()
    if commissioner is None:
        raise exceptions.ValidationError({"commissioner": [f"No commissioner with ODS code {code!r}."]})
    return commissioner


class ProgrammeOutcomesView(ReportView):
    """contracts.figures.programme_figures() over the contracts the caller may see, returned as it is."""

    allowed = sees_programme_figures | is_any_nhse  # NHSE regional: its region's, by contracts_for
    query_serializer = serializers.ProgrammeOutcomesQuery
    export_name = "programme-outcomes"
    export_serializer = serializers.ProgrammeFiguresSerializer

    @extend_schema(summary="Activity and outcomes of one programme (the programme figures)",
                   parameters=[serializers.ProgrammeOutcomesQuery], responses=serializers.ProgrammeFiguresSerializer,
                   description="RCGP admin, commissioner leads (their own commissioner's contracts), national NHSE and "
                               "an NHSE regional team (its region's contracts).")
    def get(self, request):
        query = self.query(request)
        commissioner = _commissioner(query["commissioner"]) if query.get("commissioner") else None
        return Response(programme_figures(programme=query["programme"], commissioner=commissioner,
                                          date_from=query.get("from"), date_to=query.get("to"),
                                          contracts=contract_access.contracts_for(request.user),
                                          enquiries=contract_access.enquiry_figures_for(request.user)))


class FundingView(ReportView):
    allowed = sees_programme_figures | is_any_nhse  # NHSE regional: its region's, by contracts_for
    query_serializer = serializers.FundingQuery
    export_name = "funding"
    export_serializer = serializers.FundingRowSerializer

    @extend_schema(summary="Contracted, committed and spent by programme for one April-March financial year",
                   parameters=[serializers.FundingQuery], responses=serializers.FundingRowSerializer(many=True),
                   description="Over the contracts you may see (contracts/funding.py). contracted: the value of "
                               "the contracts commissioned in the year, enquiries included; committed: the agreed "
                               "value of agreements signed in the year; spent: payments made in the year (paid "
                               "invoices less paid refunds, counted by the day they were paid), not the advisers' "
                               "delivery cost.")
    def get(self, request):
        query = self.query(request)
        commissioner = _commissioner(query["commissioner"]) if query.get("commissioner") else None
        rows = funding_by_programme(contract_access.contracts_for(request.user), year=query["financial_year"],
                                    commissioner=commissioner)
        return Response(serializers.FundingRowSerializer(rows, many=True).data)


class RagReportView(ReportView):
    permission_classes = [permissions.IsAuthenticated]
    query_serializer = serializers.RagQuery
    export_name = "rag-by-commissioner"
    export_serializer = serializers.RagRowSerializer

    @extend_schema(summary="Forward-plan actions by RAG status per commissioner (counts only)",
                   parameters=[serializers.RagQuery], responses=serializers.RagRowSerializer(many=True),
                   description="NHSE: every action; others: the actions they may see.")
    def get(self, request):
        query = self.query(request)
        commissioner = _commissioner(query["commissioner"]) if query.get("commissioner") else None
        rows = rag_counts_by_commissioner(document_access.actions_for_figures(request.user), commissioner=commissioner)
        return Response(serializers.RagRowSerializer(rows, many=True).data)

