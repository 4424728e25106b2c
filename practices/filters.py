import django_filters
from django.db.models import Case, F, IntegerField, Q, Value, When

from practices.models import Practice
from practices.ratings import Rating

from . import access

NO_RATING = "none"


class PracticeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_search", label="Practice name, ODS code or postcode")
    commissioner = django_filters.ModelChoiceFilter(
        field_name="commissioner", to_field_name="ods_code", queryset=None, empty_label="All commissioners",
    )
    current_rating = django_filters.ChoiceFilter(
        label="Current CQC rating", choices=[*Rating.choices, (NO_RATING, "No published rating")],
        method="filter_rating", empty_label="Any rating",
    )
    special_measures = django_filters.ChoiceFilter(
        label="Special measures", choices=[("yes", "In special measures"), ("no", "Not in special measures")],
        method="filter_special_measures", empty_label="Any",
    )
    status = django_filters.ChoiceFilter(choices=Practice.Status.choices, empty_label="Any status")

    class Meta:
        model = Practice
        fields = ["q", "commissioner", "current_rating", "special_measures", "status"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Named commissioners first, by name; then those known only by their code, by code.
        self.filters["commissioner"].queryset = access.commissioners_for(user).order_by(
            Case(When(name=F("ods_code"), then=Value(1)), default=Value(0), output_field=IntegerField()),
            "name", "ods_code")

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        compact = value.replace(" ", "")
        return queryset.filter(
            Q(name__icontains=value) | Q(ods_code__iexact=value) | Q(postcode__iexact=value)
            | Q(postcode__istartswith=value) | Q(ods_code__istartswith=compact)
        )

    def filter_rating(self, queryset, name, value):
        if value == NO_RATING:
            return queryset.filter(current_rating__isnull=True)
        return queryset.filter(current_rating=value)

    def filter_special_measures(self, queryset, name, value):
        return queryset.in_special_measures(value == "yes")
