from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import PCN, Commissioner, Inspection, Locality, Practice, SpecialMeasuresEpisode


@admin.register(Commissioner)
class CommissionerAdmin(SimpleHistoryAdmin):
    list_display = ["ods_code", "name", "kind", "parent"]
    list_filter = ["kind"]
    search_fields = ["ods_code", "name"]


@admin.register(Locality)
class LocalityAdmin(SimpleHistoryAdmin):
    list_display = ["name", "commissioner"]
    search_fields = ["name"]
    autocomplete_fields = ["commissioner"]


@admin.register(PCN)
class PCNAdmin(SimpleHistoryAdmin):
    list_display = ["ods_code", "name", "commissioner"]
    search_fields = ["ods_code", "name"]
    autocomplete_fields = ["commissioner"]


class InspectionInline(admin.TabularInline):
    model = Inspection
    extra = 0
    fields = ["publication_date", "inspection_date", "overall_rating", "safe", "effective", "caring", "responsive",
              "well_led"]
    show_change_link = True


@admin.register(Practice)
class PracticeAdmin(SimpleHistoryAdmin):
    list_display = ["ods_code", "name", "postcode", "commissioner", "status"]
    list_filter = ["status"]
    search_fields = ["ods_code", "name", "postcode"]
    autocomplete_fields = ["commissioner", "pcn", "locality"]
    list_select_related = ["commissioner"]
    inlines = [InspectionInline]


@admin.register(Inspection)
class InspectionAdmin(SimpleHistoryAdmin):
    list_display = ["practice", "publication_date", "overall_rating"]
    list_filter = ["overall_rating"]
    search_fields = ["practice__ods_code", "practice__name", "report_link_id"]
    autocomplete_fields = ["practice"]
    list_select_related = ["practice"]


@admin.register(SpecialMeasuresEpisode)
class SpecialMeasuresEpisodeAdmin(SimpleHistoryAdmin):
    """Read only: episodes change through the import (derivation) and the correction form (with a reason)."""

    list_display = ["practice", "stage", "route", "started_on", "ended_on", "outcome", "source",
                    "differs_from_derived"]
    list_filter = ["stage", "route", "source", "differs_from_derived"]
    search_fields = ["practice__ods_code", "practice__name"]
    list_select_related = ["practice"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
