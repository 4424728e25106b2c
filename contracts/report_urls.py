"""URLs for reports."""

from django.urls import path

from . import report_views

app_name = "reports"
urlpatterns = [
    path("programme-figures/", report_views.programme_figures_view, name="programme_figures"),
]
