"""The operators' endpoints: health and readiness, and metrics (one module of routes each)."""

from .health_urls import urlpatterns as health_patterns
from .metrics_urls import urlpatterns as metrics_patterns

urlpatterns = [*health_patterns, *metrics_patterns]
