"""Readiness for operators and load balancers: /health/ready/ (operations/health.py). The liveness check,
/health/, is dashboards.views.health (resilience/urls.py)."""

from django.urls import path

from .health import ReadinessView

urlpatterns = [
    path("health/ready/", ReadinessView.as_view(), name="health_ready"),
]
