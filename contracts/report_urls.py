"""URLs for reports."""

from django.urls import path

from . import report_views

app_name = "reports"
urlpatterns = [
    path("programme-figures/", report_views.programme_figures_view, name="programme_figures"),
    # Downloads (CSV, or XLSX with ?format=xlsx) of the figures the home pages show.
    path("programme-outcomes/", report_views.programme_outcomes_download, name="programme_outcomes"),
    path("funding-by-year/", report_views.funding_download, name="funding_by_year"),
    path("outcomes-by-year/", report_views.outcomes_by_year_download, name="outcomes_by_year"),
]
