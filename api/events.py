"""GET /api/v1/events/ (events the caller may see, with places and places taken: events.access.events_for),
GET /api/v1/event-attendance/ (one row per registration: its practice, the attendee's role and attendance; that
practice's users, its commissioner's and RCGP: events.access.registrations_for) and GET /api/v1/peer-support/
(events.access.peer_support_for). Each lists as JSON (cursor-paginated) or ``?format=csv|xlsx``."""

from django_filters import rest_framework as django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from api.views import ExportableMixin, cursor_pagination
from events import access, selectors
from events.models import Event, Registration
from events.vocabulary import Attendance, AttendeeRole, Kind


class EventSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    kind = serializers.ChoiceField(choices=Kind.choices, read_only=True)
    starts_at = serializers.DateTimeField(read_only=True)
    ends_at = serializers.DateTimeField(read_only=True)
    venue = serializers.CharField(read_only=True)
    online = serializers.BooleanField(read_only=True)
    organiser = serializers.CharField(read_only=True)
    open_to_all = serializers.BooleanField(read_only=True)
    registration_closes_on = serializers.DateField(read_only=True)
    places = serializers.IntegerField(read_only=True)
    taken = serializers.IntegerField(read_only=True, help_text="Registrations not cancelled.")
    attended = serializers.IntegerField(read_only=True)
    did_not_attend = serializers.IntegerField(read_only=True)


class AttendanceSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    event = serializers.IntegerField(source="event_id", read_only=True)
    event_title = serializers.CharField(source="event.title", read_only=True)
    event_starts_at = serializers.DateTimeField(source="event.starts_at", read_only=True)
    practice = serializers.CharField(source="practice.ods_code", read_only=True)
    practice_name = serializers.CharField(source="practice.name", read_only=True)
    attendee_role = serializers.ChoiceField(choices=AttendeeRole.choices, read_only=True)
    cancelled = serializers.SerializerMethodField()
    attendance = serializers.CharField(read_only=True, help_text="attended, did_not_attend, or empty: not recorded.")

    def get_cancelled(self, registration) -> bool:
        return registration.cancelled_at is not None


class PeerSupportSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    supporting = serializers.CharField(source="supporting.ods_code", read_only=True)
    supporting_name = serializers.CharField(source="supporting.name", read_only=True)
    supporting_level = serializers.CharField(read_only=True, help_text="Its level when the support started.")
    supported = serializers.CharField(source="supported.ods_code", read_only=True)
    supported_name = serializers.CharField(source="supported.name", read_only=True)
    supported_level = serializers.CharField(read_only=True, help_text="Its level when the support started.")
    started_on = serializers.DateField(read_only=True)
    ended_on = serializers.DateField(read_only=True, allow_null=True)
    support = serializers.CharField(read_only=True)


class EventFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Kind.choices)

    class Meta:
        model = Event
        fields = ["kind"]


class AttendanceFilter(django_filters.FilterSet):
    event = django_filters.NumberFilter(field_name="event_id")
    practice = django_filters.CharFilter(field_name="practice__ods_code", lookup_expr="iexact")
    attended = django_filters.BooleanFilter(method="filter_attended",
                                            help_text="true: attended; false: recorded as not attending.")

    class Meta:
        model = Registration
        fields = ["event", "practice", "attended"]

    def filter_attended(self, queryset, name, value):
        return queryset.filter(attendance=Attendance.ATTENDED if value else Attendance.DID_NOT_ATTEND)


@extend_schema_view(list=extend_schema(
    summary="Events and training you may see (filter by ?kind=)",
    description="Events open to every practice, or to the practices and commissioners invited; RCGP and NHSE see "
                "every event. Places, places taken and attendance counts. Cursor-paginated by start; "
                "`?format=csv|xlsx` exports every match."))
class EventViewSet(ExportableMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = EventSerializer
    filterset_class = EventFilter
    pagination_class = cursor_pagination("starts_at", "pk")
    export_name = "events"

    def get_queryset(self):
        return selectors.with_counts(access.events_for(self.request.user))


@extend_schema_view(list=extend_schema(
    summary="Registrations and attendance (filter by ?event=&practice=&attended=)",
    description="One row per registration: the practice, the attendee's role (never their name) and attendance. "
                "A practice's users see its own, a commissioner's users its practices', RCGP every one; NHSE none "
                "(the events list counts them). `?format=csv|xlsx` exports every match."))
class AttendanceViewSet(ExportableMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = AttendanceSerializer
    filterset_class = AttendanceFilter
    pagination_class = cursor_pagination("pk")
    export_name = "event-attendance"

    def get_queryset(self):
        return access.registrations_for(self.request.user).select_related("event", "practice")


@extend_schema_view(list=extend_schema(
    summary="Practice-to-practice peer support",
    description="An Excellence practice supporting a Rescue or Resilience one: both practices, their commissioners, "
                "RCGP and NHSE (a regional team where either practice is in its region). `?format=csv|xlsx`."))
class PeerSupportViewSet(ExportableMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = PeerSupportSerializer
    pagination_class = cursor_pagination("-pk")
    export_name = "peer-support"

    def get_queryset(self):
        return access.peer_support_for(self.request.user).select_related("supporting", "supported")
