"""GET /api/v1/monitoring-records/: the commissioner's monitoring records of its practices, newest first
(monitoring.access.records_for: the practice's commissioner's users, or the ICB's; the practice's own users see
only the records shared with it; RCGP and NHSE see none, and a record answers 404 to them)."""

from django.db.models import Prefetch
from django_filters import rest_framework as django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from api.views import cursor_pagination
from monitoring.access import follow_ups_for, may_read_monitoring, records_for
from monitoring.models import Kind, MonitoringRecord


class FollowUpSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    what = serializers.CharField(read_only=True)
    due_on = serializers.DateField(read_only=True)
    done_on = serializers.DateField(read_only=True, allow_null=True)


class MonitoringRecordSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    practice = serializers.CharField(source="practice.ods_code", read_only=True, help_text="Practice ODS code.")
    practice_name = serializers.CharField(source="practice.name", read_only=True)
    kind = serializers.ChoiceField(choices=Kind.choices, read_only=True)
    date = serializers.DateField(source="happened_on", read_only=True)
    people = serializers.ListField(source="people_list", child=serializers.CharField(), read_only=True,
                                   help_text="Who was there: people and organisations.")
    summary = serializers.CharField(read_only=True)
    shared_with_practice = serializers.BooleanField(read_only=True)
    recorded_at = serializers.DateTimeField(read_only=True)
    version = serializers.IntegerField(read_only=True)
    follow_ups = FollowUpSerializer(source="visible_follow_ups", many=True, read_only=True)


class MonitoringRecordFilter(django_filters.FilterSet):
    practice = django_filters.CharFilter(field_name="practice__ods_code", lookup_expr="iexact",
                                         help_text="Practice ODS code.")
    kind = django_filters.ChoiceFilter(choices=Kind.choices)

    class Meta:
        model = MonitoringRecord
        fields = ["practice", "kind"]


@extend_schema_view(
    list=extend_schema(summary="Monitoring records of practices (filter by ?practice=ODS&kind=)",
                       description="Visits, calls, meetings, concerns raised and support offered or given, recorded "
                                   "by a practice's commissioner, with their follow-ups. For the commissioner's "
                                   "users (and an ICB's over its sub-ICB locations); a practice's users see the "
                                   "records shared with it; nobody else sees any. Cursor-paginated, newest first."),
    retrieve=extend_schema(summary="One monitoring record (404 if you may not see it)"))
class MonitoringRecordViewSet(viewsets.ReadOnlyModelViewSet):
    """Monitoring records the caller may see."""

    serializer_class = MonitoringRecordSerializer
    filterset_class = MonitoringRecordFilter
    pagination_class = cursor_pagination("-pk")

    def get_queryset(self):
        user = self.request.user
        if not may_read_monitoring(user):
            return MonitoringRecord.objects.none()
        return records_for(user).select_related("practice").prefetch_related(
            Prefetch("follow_ups", queryset=follow_ups_for(user).order_by("due_on", "pk"),
                     to_attr="visible_follow_ups"))
