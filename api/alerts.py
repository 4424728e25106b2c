"""GET /api/v1/alerts/: the practices' alerts the caller was sent (surveillance.access.alerts_for), newest first.

Facts only: the kind of change, its date, rating words, dates and codes; no free text anywhere in an alert."""

from django_filters import rest_framework as django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from api.views import cursor_pagination
from surveillance import alert_texts
from surveillance.access import alerts_for
from surveillance.models import PracticeAlert


class AlertSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    practice = serializers.CharField(source="practice.ods_code", read_only=True, help_text="Practice ODS code.")
    practice_name = serializers.CharField(source="practice.name", read_only=True)
    kind = serializers.ChoiceField(choices=PracticeAlert.Kind.choices, read_only=True)
    on = serializers.DateField(read_only=True, help_text="The date of the change (a report's publication, an "
                                                         "episode's start or end, a closure, ...).")
    title = serializers.SerializerMethodField(help_text="The alert's title, as its notification says.")
    summary = serializers.SerializerMethodField(help_text="What happened, in a sentence, from the facts.")
    detail = serializers.JSONField(read_only=True, help_text="The facts: rating words, dates and codes.")
    raised_at = serializers.DateTimeField(read_only=True)

    def get_title(self, alert) -> str:
        return alert_texts.title(alert)

    def get_summary(self, alert) -> str:
        return alert_texts.body(alert)


class AlertFilter(django_filters.FilterSet):
    practice = django_filters.CharFilter(field_name="practice__ods_code", lookup_expr="iexact",
                                         help_text="Practice ODS code.")
    kind = django_filters.ChoiceFilter(choices=PracticeAlert.Kind.choices)

    class Meta:
        model = PracticeAlert
        fields = ["practice", "kind"]


@extend_schema_view(list=extend_schema(
    summary="Alerts about practices that you were sent (filter by ?practice=ODS&kind=)",
    description="New CQC reports, ratings that fell or rose, special measures entered or left, six-month windows "
                "opened, closures, re-openings and changes of commissioner, for the practices you hear of: their "
                "commissioner staff, RCGP admins, the team of a live contract and the practice's own people. "
                "Cursor-paginated, 100 a page, newest first."))
class AlertViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Alerts the caller may see (those they would be sent), newest first."""

    serializer_class = AlertSerializer
    filterset_class = AlertFilter
    pagination_class = cursor_pagination("-pk")

    def get_queryset(self):
        return alerts_for(self.request.user).select_related("practice")
