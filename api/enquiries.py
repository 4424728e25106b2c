"""GET /api/v1/enquiries/: the enquiries the caller may see (contracts.access.enquiries_for), of every source (the
special-measures offers and the initial conversations), with their status. Read-only: they are recorded, and what
came of them, on their pages (contracts/enquiry_services.py). NHSE sees none: it reads the take-up, as counts, in
the programme figures (/api/v1/reports/programme-outcomes/, "enquiry_outcomes")."""

from django.utils import timezone
from django_filters import rest_framework as django_filters
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, viewsets

from api.offers import OfferFilter
from api.views import ExportableMixin, cursor_pagination
from contracts import access as contract_access
from contracts.enquiry_models import Enquiry
from contracts.vocabulary import Programme

STATUS_HELP = ("awaiting (no outcome yet; an offer within its reply date), no_reply (recorded, or an offer with none "
               "by its reply date), accepted (became a contract), declined or not_eligible.")


class EnquirySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    practice = serializers.CharField(source="practice.ods_code", read_only=True, help_text="Practice ODS code.")
    source = serializers.ChoiceField(choices=Enquiry.Source.choices, read_only=True,
                                     help_text="The special-measures offer, or who began the conversation.")
    programme = serializers.ChoiceField(choices=Programme.choices, read_only=True,
                                        help_text="The support asked about (an offer: special measures).")
    opened_on = serializers.DateField(read_only=True, help_text="When the offer was made or the conversation held.")
    asked = serializers.CharField(read_only=True, help_text="What was asked (a conversation; an offer: empty).")
    contact_name = serializers.CharField(read_only=True, help_text="Who got in touch, if recorded.")
    reply_due = serializers.DateField(read_only=True, allow_null=True, help_text="An offer's reply date; else null.")
    status = serializers.SerializerMethodField(help_text=STATUS_HELP)
    outcome_on = serializers.DateField(read_only=True, allow_null=True, help_text="When the outcome was recorded as.")
    contract = serializers.SerializerMethodField(help_text="The contract it became (its reference).")

    @extend_schema_field(serializers.ChoiceField(choices=Enquiry.Status.choices))
    def get_status(self, enquiry):
        return enquiry.status(self.context.get("today")).value

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_contract(self, enquiry):
        return enquiry.contract.reference if enquiry.contract_id else None


class EnquiryFilter(OfferFilter):
    """The offers' filters (practice, status), and the source and programme of every kind of enquiry."""

    source = django_filters.ChoiceFilter(choices=Enquiry.Source.choices)
    programme = django_filters.ChoiceFilter(choices=Programme.choices)
    status = django_filters.ChoiceFilter(choices=Enquiry.Status.choices, method="filter_status", help_text=STATUS_HELP)

    class Meta:
        model = Enquiry
        fields = ["practice", "source", "programme", "status"]


@extend_schema_view(
    list=extend_schema(summary="Enquiries you may see, of every source, and what came of them",
                       description="RCGP admin and deputy leads: every enquiry; a practice's commissioner (its "
                                   "sub-ICB location and ICB): every enquiry about its practices; the practice: the "
                                   "offers made to it and the conversations it began. Advisers and NHSE see none "
                                   "(NHSE reads the take-up in the programme figures). Cursor-paginated, newest "
                                   "first; `?format=csv|xlsx` exports every match."),
    retrieve=extend_schema(summary="One enquiry"),
)
class EnquiryViewSet(ExportableMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = EnquirySerializer
    filterset_class = EnquiryFilter
    pagination_class = cursor_pagination("-opened_on", "-id")
    lookup_value_regex = "[0-9]+"
    export_name = "enquiries"

    def get_queryset(self):
        return contract_access.enquiries_for(self.request.user).select_related("practice", "contract")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": timezone.localdate()}
