"""GET /api/v1/levels/: the current level of support of each practice the caller may see that has one (levels.access:
whoever sees the practice); GET /api/v1/level-changes/: the history of those practices' levels. Both filter, page
by cursor and answer ?format=csv|xlsx like the other lists."""

from django_filters import rest_framework as django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from api.views import ExportableMixin, cursor_pagination
from core.regions import Region
from levels import access
from levels.models import Level, LevelChange, PracticeLevel, Source


class PracticeLevelSerializer(serializers.Serializer):
    ods_code = serializers.CharField(source="practice.ods_code", read_only=True)
    name = serializers.CharField(source="practice.name", read_only=True)
    commissioner = serializers.CharField(source="practice.commissioner.ods_code", read_only=True,
                                         help_text="The practice's commissioner's ODS code.")
    region = serializers.CharField(source="practice.region", read_only=True,
                                   help_text="NHS England region code (blank when not known).")
    level = serializers.ChoiceField(choices=Level.choices, read_only=True)
    since = serializers.DateTimeField(read_only=True)
    source = serializers.ChoiceField(choices=Source.choices, read_only=True,
                                     help_text="derived: from special measures; set: by hand.")


class LevelChangeSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    practice = serializers.CharField(source="practice.ods_code", read_only=True, help_text="Practice ODS code.")
    practice_name = serializers.CharField(source="practice.name", read_only=True)
    from_level = serializers.ChoiceField(choices=Level.choices, read_only=True, allow_blank=True,
                                         help_text="Blank: no level was recorded.")
    level = serializers.ChoiceField(choices=Level.choices, read_only=True, allow_blank=True,
                                    help_text="Blank: no level recorded (special measures ended, none set by hand).")
    source = serializers.ChoiceField(choices=Source.choices, read_only=True)
    reason = serializers.CharField(read_only=True)
    changed_by = serializers.SerializerMethodField(help_text="Who set it; null when derived.")
    changed_at = serializers.DateTimeField(read_only=True)

    def get_changed_by(self, change) -> str | None:
        user = change.changed_by
        return (user.get_full_name() or user.username) if user else None


class PracticeLevelFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=Level.choices)
    commissioner = django_filters.CharFilter(field_name="practice__commissioner__ods_code", lookup_expr="iexact",
                                             help_text="Commissioner ODS code.")
    region = django_filters.ChoiceFilter(field_name="practice__region", choices=Region.choices,
                                         help_text="NHS England region code.")

    class Meta:
        model = PracticeLevel
        fields = ["level", "commissioner", "region"]


class LevelChangeFilter(django_filters.FilterSet):
    practice = django_filters.CharFilter(field_name="practice__ods_code", lookup_expr="iexact",
                                         help_text="Practice ODS code.")
    level = django_filters.ChoiceFilter(choices=Level.choices, help_text="The level changed to.")
    changed_from = django_filters.DateFilter(field_name="changed_at", lookup_expr="date__gte",
                                             help_text="Changed on or after (YYYY-MM-DD).")
    changed_to = django_filters.DateFilter(field_name="changed_at", lookup_expr="date__lte",
                                           help_text="Changed on or before (YYYY-MM-DD).")

    class Meta:
        model = LevelChange
        fields = ["practice", "level"]

    def __init__(self, data=None, *args, **kwargs):
        # ?from= and ?to= as the other lists' dates are named ("from" is a Python keyword, so not a field name).
        if data is not None:
            data = data.copy()
            for short, name in (("from", "changed_from"), ("to", "changed_to")):
                if short in data and name not in data:
                    data[name] = data[short]
        super().__init__(data, *args, **kwargs)


@extend_schema_view(list=extend_schema(
    summary="Practices' current levels of support (filter by ?level=&commissioner=&region=)",
    description="Each practice the caller may see that has a level of support: Rescue (derived from special "
                "measures, or set by hand), Resilience, Improvement or Excellence, since when and how. "
                "Cursor-paginated; `?format=csv|xlsx` exports every match."))
class PracticeLevelViewSet(ExportableMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = PracticeLevelSerializer
    filterset_class = PracticeLevelFilter
    pagination_class = cursor_pagination("pk")
    export_name = "levels-of-support"

    def get_queryset(self):
        return (access.levels_for(self.request.user).exclude(level="")
                .select_related("practice__commissioner"))


@extend_schema_view(list=extend_schema(
    summary="Changes of practices' levels of support (filter by ?practice=&level=&from=&to=)",
    description="The history of the levels of the practices the caller may see: from, to, when, who (null: "
                "derived from special measures) and why. `from`/`to` (or `changed_from`/`changed_to`) bound the "
                "date of the change. Cursor-paginated, newest first; `?format=csv|xlsx` exports every match."))
class LevelChangeViewSet(ExportableMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = LevelChangeSerializer
    filterset_class = LevelChangeFilter
    pagination_class = cursor_pagination("-pk")
    export_name = "level-changes"

    def get_queryset(self):
        return access.level_changes_for(self.request.user).select_related("practice", "changed_by")
