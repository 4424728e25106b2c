"""Benchmark settings: the production settings unchanged, plus two URLs, /bench/baseline/ and
/bench/baseline-page/ (bench/urls.py).

bench/run.py serves these with gunicorn over plain HTTP on 127.0.0.1, so it sets SECURE_SSL_REDIRECT=false in
the environment (as docker-compose.yml does); the load generator sends the session cookie itself.
"""

import os

from resilience.settings.production import *  # noqa: F401,F403

ROOT_URLCONF = "bench.urls"

# The synthetic England (bench/scale_data.py, `manage.py generate_scale_data`) is installed only here.
INSTALLED_APPS = [*INSTALLED_APPS, "bench"]  # noqa: F405

# BENCH_OPERATIONS=off measures the pages without the operators' instruments (Prometheus middleware, one log line
# a request at INFO) to show what they cost; bench/run.py's default keeps them on, as deployed.
if os.environ.get("BENCH_OPERATIONS") == "off":
    MIDDLEWARE = [m for m in MIDDLEWARE if not m.startswith("django_prometheus.")]  # noqa: F405
