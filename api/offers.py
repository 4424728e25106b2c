"""GET /api/v1/offers/: the special-measures offers the caller may see (contracts.access.enquiries_for), with their
derived status. Read-only: replies are recorded on the offer's page (contracts/enquiry_services.py). Every source
of enquiry (the initial conversations too) is /api/v1/enquiries/ (api/enquiries.py)."""

from django.utils import timezone
from django_filters import rest_framework as django_filters
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, viewsets

from api.views import ExportableMixin, cursor_pagination
from contracts import access as contract_access
from contracts.enquiry_models import Enquiry

STATUS_HELP = ("awaiting (no reply yet, within the reply date), no_reply (none recorded by the reply date), accepted "
               "(became a contract) or declined.")


class OfferSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    practice = serializers.CharField(source="practice.ods_code", read_only=True, help_text="Practice ODS code.")
    source = serializers.ChoiceField(choices=Enquiry.Source.choices, read_only=True)
    opened_on = serializers.DateField(read_only=True, help_text="The day the offer was made.")
    reply_due = serializers.DateField(read_only=True, allow_null=True,
                                      help_text="OFFER_REPLY_WORKING_DAYS working days later (England).")
    status = serializers.SerializerMethodField(help_text=STATUS_HELP)
    replied_on = serializers.DateField(source="outcome_on", read_only=True, allow_null=True)
    contract = serializers.SerializerMethodField(help_text="The contract an accepted offer became (its reference).")
    episode_started_on = serializers.DateField(source="episode.started_on", read_only=True, allow_null=True,
                                               help_text="Start of the special-measures episode it was made for.")

    @extend_schema_field(serializers.ChoiceField(choices=Enquiry.Status.choices))
    def get_status(self, enquiry):
        return enquiry.status(self.context.get("today")).value

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_contract(self, enquiry):
        return enquiry.contract.reference if enquiry.contract_id else None


class OfferFilter(django_filters.FilterSet):
    practice = django_filters.CharFilter(field_name="practice__ods_code", lookup_expr="iexact",
                                         help_text="Practice ODS code.")
    status = django_filters.ChoiceFilter(choices=Enquiry.Status.choices, method="filter_status", help_text=STATUS_HELP)

    class Meta:
        model = Enquiry
        fields = ["practice", "status"]

    def filter_status(self, queryset, name, value):
        return queryset.with_status(value)


@extend_schema_view(
    list=extend_schema(summary="Special-measures offers you may see, and what came of them",
                       description="RCGP admin and deputy leads: every offer; a practice's commissioner (its sub-ICB "
                                   "location and ICB) and the practice itself: its own. Advisers and NHSE see none "
                                   "(NHSE reads the take-up in the programme figures). Cursor-paginated, newest "
                                   "first; `?format=csv|xlsx` exports every match."),
    retrieve=extend_schema(summary="One special-measures offer"),
)
class OfferViewSet(ExportableMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = OfferSerializer
    filterset_class = OfferFilter
    pagination_class = cursor_pagination("-opened_on", "-id")
    lookup_value_regex = "[0-9]+"
    export_name = "offers"

    def get_queryset(self):
        return (contract_access.enquiries_for(self.request.user)
                .filter(source=Enquiry.Source.SPECIAL_MEASURES_OFFER)
                .select_related("practice", "contract", "episode"))

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": timezone.localdate()}
