"""A Django admin site for the benchmark alone (bench/urls.py mounts it at /bench/admin/): the practice list as
Django's admin changelist shows the same practices, 25 a page with their commissioner and current rating, so that
the service's own list can be compared with it (round two's guard, docs/performance.md). The product's admin
registers no confidential model; this site is installed only with bench.settings."""

from django.contrib import admin

from practices.models import Practice


class BenchAdminSite(admin.AdminSite):
    site_header = "Benchmark admin"


site = BenchAdminSite(name="bench_admin")


@admin.register(Practice, site=site)
class PracticeAdmin(admin.ModelAdmin):
    list_display = ("name", "ods_code", "commissioner", "rating", "status")
    list_filter = ("status",)
    list_per_page = 25
    list_select_related = ("commissioner",)
    ordering = ("name", "pk")
    show_full_result_count = True

    def get_queryset(self, request):
        return super().get_queryset(request).with_current_rating()

    @admin.display(description="Current rating")
    def rating(self, practice):
        return practice.current_rating
