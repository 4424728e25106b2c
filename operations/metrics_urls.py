"""The metrics endpoint (operations/metrics_views.py)."""

from django.urls import path

from .metrics_views import metrics_view

urlpatterns = [path("metrics/", metrics_view, name="metrics")]
