"""Settings of the service's metrics (docs/operations.md, "Metrics"), applied at the end of base.py by ``configure``.

- METRICS_TOKEN (secret; default empty): a scraper sends ``Authorization: Bearer <token>`` to /metrics/. Without it
  the endpoint answers 404.
- METRICS_QUEUES (default empty): Celery queues whose length is read from Redis at each scrape, besides the default
  queue (CELERY_QUEUE).
- METRICS_READ_DIRS (default empty): more prometheus_client multiprocess directories (glob patterns allowed) whose
  counts a scrape merges with those of PROMETHEUS_MULTIPROC_DIR: the Celery workers' directories.
- PROMETHEUS_MULTIPROC_DIR (environment only, read by prometheus_client itself): a directory per process group
  (gunicorn's workers; each Celery worker), emptied when that group starts. Unset (the demo): one process, its own
  registry.
"""


def configure(s, env):
    """Add this part's settings to the settings module's namespace ``s`` (its globals), reading ``env``."""
    s["METRICS_TOKEN"] = env("METRICS_TOKEN", default="")
    s["METRICS_QUEUES"] = env.list("METRICS_QUEUES", default=[])
    s["METRICS_READ_DIRS"] = env.list("METRICS_READ_DIRS", default=[])
    # django-prometheus (its middleware; no exports port, no migrations gauge) and our counting (operations/metrics.py).
    s["INSTALLED_APPS"] += ["django_prometheus"]
    # Requests and latencies by view: the first middleware starts the clock, the last one labels by view name.
    s["MIDDLEWARE"].insert(0, "django_prometheus.middleware.PrometheusBeforeMiddleware")
    s["MIDDLEWARE"].append("django_prometheus.middleware.PrometheusAfterMiddleware")
    s["PROMETHEUS_EXPORT_MIGRATIONS"] = False
