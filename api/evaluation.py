"""GET /api/v1/case-studies/: case studies of contracts at closure (evaluation.access.case_studies_for: the
contract's RCGP team, its commissioner's users and its practice's users; NHSE the final ones), newest first; and
GET /api/v1/case-studies/counts/: the evaluation counted per commissioner and financial year (RCGP admin and NHSE
all; a commissioner's users their own and their sub-ICB locations'). An API list is read beyond the contract's
parties, so an anonymised case study never shows its practice nor its contract (whose reference names it)."""

from django_filters import rest_framework as django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from api.views import ExportableMixin, cursor_pagination
from contracts.vocabulary import SupportCategory
from evaluation import access, selectors
from evaluation.models import CaseStudy
from evaluation.vocabulary import CaseStudyStatus, Naming


class CaseStudySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    contract = serializers.SerializerMethodField(help_text="Contract reference; null when the practice is "
                                                           "anonymised.")
    practice = serializers.SerializerMethodField(help_text="Practice ODS code; null when anonymised.")
    practice_name = serializers.SerializerMethodField(help_text="Null when anonymised.")
    commissioner = serializers.CharField(source="contract.commissioner.ods_code", read_only=True,
                                         help_text="The contract's commissioner's ODS code.")
    support_category = serializers.ChoiceField(choices=SupportCategory.choices, read_only=True)
    naming = serializers.ChoiceField(choices=Naming.choices, read_only=True, help_text="The practice's choice.")
    status = serializers.ChoiceField(choices=CaseStudyStatus.choices, read_only=True)
    title = serializers.CharField(read_only=True)
    summary = serializers.CharField(read_only=True)
    what_worked = serializers.CharField(read_only=True)
    what_did_not = serializers.CharField(read_only=True)
    created_on = serializers.DateField(read_only=True)
    version = serializers.IntegerField(read_only=True)

    def get_contract(self, case_study) -> str | None:
        return None if case_study.anonymised else case_study.contract.reference

    def get_practice(self, case_study) -> str | None:
        return None if case_study.anonymised else case_study.contract.practice.ods_code

    def get_practice_name(self, case_study) -> str | None:
        return None if case_study.anonymised else case_study.contract.practice.name


class CategoryCountsSerializer(serializers.Serializer):
    """Case studies per support category."""

    def get_fields(self):
        return {value: serializers.IntegerField(read_only=True, label=label)
                for value, label in SupportCategory.choices}


class CountRowSerializer(serializers.Serializer):
    commissioner = serializers.CharField(source="commissioner.ods_code", read_only=True)
    commissioner_name = serializers.CharField(source="commissioner.name", read_only=True)
    financial_year = serializers.CharField(read_only=True, help_text="April-March, e.g. 2025-26.")
    practice_feedback = serializers.IntegerField(source="feedback", read_only=True)
    staff_responses = serializers.IntegerField(read_only=True)
    reflections = serializers.IntegerField(read_only=True)
    case_studies_draft = serializers.IntegerField(source="drafts", read_only=True)
    case_studies_final = serializers.IntegerField(source="finals", read_only=True)
    case_studies_named = serializers.IntegerField(source="named", read_only=True)
    case_studies_anonymised = serializers.IntegerField(source="anonymised", read_only=True)
    case_studies_by_category = CategoryCountsSerializer(source="category_counts", read_only=True)


class CaseStudyFilter(django_filters.FilterSet):
    support_category = django_filters.ChoiceFilter(choices=SupportCategory.choices)
    status = django_filters.ChoiceFilter(choices=CaseStudyStatus.choices)

    class Meta:
        model = CaseStudy
        fields = ["support_category", "status"]


@extend_schema_view(
    list=extend_schema(summary="Case studies (filter by ?support_category=&status=)",
                       description="Case studies of contracts at closure: the contract's RCGP team, commissioner "
                                   "and practice see its case studies; NHSE sees final ones. An anonymised case study "
                                   "shows neither its practice nor its contract. Cursor-paginated, newest first; "
                                   "`?format=csv|xlsx` exports every match."),
    counts=extend_schema(summary="Evaluation counts per commissioner and financial year",
                         responses=CountRowSerializer(many=True),
                         description="Practice feedback, staff responses, reflections and case studies (draft, final, "
                                     "named, anonymised, by support category) per commissioner and April-March "
                                     "financial year. RCGP admin and NHSE: every commissioner; a commissioner's "
                                     "users: their own and their sub-ICB locations'. `?format=csv|xlsx`."))
class CaseStudyViewSet(ExportableMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Case studies the caller may see, and the evaluation counts."""

    filterset_class = CaseStudyFilter
    pagination_class = cursor_pagination("-pk")
    export_name = "case-studies"

    def get_renderers(self):
        if getattr(self, "action", None) == "counts":
            self.action = "list"  # the counts download like a list
            renderers = super().get_renderers()
            self.action = "counts"
            return renderers
        return super().get_renderers()

    def get_serializer_class(self):
        return CountRowSerializer if getattr(self, "action", None) == "counts" else CaseStudySerializer

    def get_queryset(self):
        return access.case_studies_for(self.request.user).select_related("contract__practice",
                                                                         "contract__commissioner")

    @action(detail=False, filter_backends=[], pagination_class=None)
    def counts(self, request):
        if not access.may_see_counts(request.user):
            raise exceptions.PermissionDenied("Your role cannot use this endpoint.")
        self.export_name = "evaluation-counts"
        rows = selectors.counts_by_commissioner_and_year(request.user)
        for row in rows:
            row.category_counts = {value: row.by_category.get(value, 0) for value in SupportCategory.values}
        return Response(CountRowSerializer(rows, many=True).data)
