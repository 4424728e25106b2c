"""Query filters of the API lists (django-filter). Filters narrow what the access policy already
allows; a filter never widens it. Commissioner filters take an ODS code and include the sub-ICB
locations of an ICB, as the programme figures do."""

from django.db.models import Q
from django_filters import rest_framework as django_filters

from contracts.figures import ENDED, ENQUIRY, LIVE
from contracts.models import Contract
from contracts.vocabulary import Programme
from contracts.workflow import State
from forwardplans.models import Action, ForwardPlan
from forwardplans.vocabulary import KEY_QUESTION_CHOICES, Rag
from practices.models import Inspection, Practice
from practices.ratings import Rating

NO_RATING = "none"
CONTRACT_STATUS = {"enquiry": ENQUIRY, "live": LIVE, "ended": ENDED}


def in_commissioner(field, code):
    """Q for records whose ``field`` is the commissioner with this ODS code or one of its sub-ICB locations."""
    return Q(**{f"{field}__ods_code": code}) | Q(**{f"{field}__parent__ods_code": code})


class CommissionerFilter(django_filters.CharFilter):
    def __init__(self, *args, commissioner_field="commissioner", **kwargs):
        kwargs.setdefault("help_text", "Commissioner ODS code (an ICB includes its sub-ICB locations).")
        super().__init__(*args, **kwargs)
        self.commissioner_field = commissioner_field

    def filter(self, qs, value):
        value = (value or "").strip().upper()
        return qs.filter(in_commissioner(self.commissioner_field, value)) if value else qs


class PracticeFilter(django_filters.FilterSet):
    ods_code = django_filters.CharFilter(field_name="ods_code", lookup_expr="iexact")
    commissioner = CommissionerFilter()
    current_rating = django_filters.ChoiceFilter(
        choices=[*Rating.choices, (NO_RATING, "No published rating")], method="filter_rating",
        help_text="Overall rating of the latest published inspection; `none` for practices without one.")
    in_special_measures = django_filters.ChoiceFilter(choices=[("true", "true"), ("false", "false")],
                                                      method="filter_special_measures",
                                                      help_text="true: in a special-measures episode now.")
    status = django_filters.ChoiceFilter(choices=Practice.Status.choices)

    class Meta:
        model = Practice
        fields = ["ods_code", "commissioner", "current_rating", "in_special_measures", "status"]

    def filter_rating(self, queryset, name, value):
        if value == NO_RATING:
            return queryset.filter(current_rating__isnull=True)
        return queryset.filter(current_rating=value)

    def filter_special_measures(self, queryset, name, value):
        return queryset.in_special_measures(value == "true")


class InspectionFilter(django_filters.FilterSet):
    practice = django_filters.CharFilter(field_name="practice__ods_code", lookup_expr="iexact",
                                         help_text="Practice ODS code.")
    commissioner = CommissionerFilter(commissioner_field="practice__commissioner")
    overall_rating = django_filters.ChoiceFilter(choices=Rating.choices)
    published_from = django_filters.DateFilter(field_name="publication_date", lookup_expr="gte")
    published_to = django_filters.DateFilter(field_name="publication_date", lookup_expr="lte")

    class Meta:
        model = Inspection
        fields = ["practice", "commissioner", "overall_rating", "published_from", "published_to"]


class ContractFilter(django_filters.FilterSet):
    programme = django_filters.ChoiceFilter(choices=Programme.choices)
    state = django_filters.ChoiceFilter(choices=State.choices)
    status = django_filters.ChoiceFilter(choices=[(key, key.capitalize()) for key in CONTRACT_STATUS],
                                         method="filter_status", help_text="enquiry, live or ended.")
    commissioner = CommissionerFilter()
    practice = django_filters.CharFilter(method="filter_practice",
                                         help_text="Practice ODS code (the lead practice or one of a group).")
    commissioned_from = django_filters.DateFilter(field_name="commissioned_on", lookup_expr="gte")
    commissioned_to = django_filters.DateFilter(field_name="commissioned_on", lookup_expr="lte")

    class Meta:
        model = Contract
        fields = ["programme", "state", "status", "commissioner", "practice", "commissioned_from", "commissioned_to"]

    def filter_status(self, queryset, name, value):
        return queryset.filter(CONTRACT_STATUS[value])

    def filter_practice(self, queryset, name, value):
        value = value.strip().upper()
        group = Contract.practices.through.objects.filter(practice__ods_code=value).values("contract")
        return queryset.filter(Q(practice__ods_code=value) | Q(pk__in=group))


class PlanSummaryFilter(django_filters.FilterSet):
    contract = django_filters.CharFilter(field_name="contract__reference", help_text="Contract reference.")
    practice = django_filters.CharFilter(field_name="contract__practice__ods_code", lookup_expr="iexact",
                                         help_text="Practice ODS code.")
    commissioner = CommissionerFilter(commissioner_field="contract__commissioner")
    programme = django_filters.ChoiceFilter(field_name="contract__programme", choices=Programme.choices)

    class Meta:
        model = ForwardPlan
        fields = ["contract", "practice", "commissioner", "programme"]


class ActionFilter(django_filters.FilterSet):
    contract = django_filters.CharFilter(field_name="plan__contract__reference", help_text="Contract reference.")
    rag_status = django_filters.ChoiceFilter(choices=Rag.choices)
    key_question = django_filters.ChoiceFilter(choices=KEY_QUESTION_CHOICES)

    class Meta:
        model = Action
        fields = ["contract", "rag_status", "key_question"]
