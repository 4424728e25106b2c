"""The demo, run as ``make demo`` runs it: the service's own 404 page for a missing page (never Django's debug page
with its list of URLs), and its static files still served."""

import os
import signal
import subprocess
import time
import urllib.error
import urllib.request

import pytest
from django.urls import path

from resilience import urls as site_urls

from ..celery_worker import database_url_of_tests
from ..servers import ROOT, free_port

pytestmark = pytest.mark.django_db(transaction=True)


def _demo_server_command(port):
    """The Makefile's own command for the demo's server (``make -n`` prints it without running anything), on a
    free port and without the autoreloader."""
    recipe = subprocess.run(["make", "--no-print-directory", "-n", "demo"], cwd=ROOT, capture_output=True, text=True,
                            check=True).stdout
    line = next(line for line in recipe.splitlines() if "manage.py runserver" in line)
    assert "127.0.0.1:8000" in line, line
    return line.replace("127.0.0.1:8000", f"127.0.0.1:{port} --noreload")


def _get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310  # nosec B310 - our own server
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


@pytest.fixture
def demo_server(tmp_path):
    port = free_port()
    environment = {name: value for name, value in os.environ.items()
                   if name not in ("DEBUG", "WHITENOISE_USE_FINDERS", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE")}
    # The test database rather than the demo's SQLite file, which the test must not touch.
    environment.update(DATABASE_URL=database_url_of_tests(), CONN_MAX_AGE="0")
    log_path = tmp_path / "demo.log"
    base = f"http://127.0.0.1:{port}"
    with log_path.open("wb") as log:
        process = subprocess.Popen(["bash", "-c", _demo_server_command(port)], cwd=ROOT, env=environment,
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if _get(f"{base}/health/")[0] == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the demo server did not start: {log_path.read_text()}")
            time.sleep(0.3)
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)


def test_the_demo_answers_a_missing_page_with_the_service_404_page_and_serves_static_files(demo_server):
    status, headers, body = _get(f"{demo_server}/no-such-page/")
    assert status == 404
    assert "<h1>Page not found</h1>" in body and "Practice Resilience" in body and 'class="nhsuk-header' in body
    for debug_words in ("Using the URLconf", "DEBUG = True", "urlpatterns", "technical_404"):
        assert debug_words not in body, debug_words

    status, headers, body = _get(f"{demo_server}/static/css/app.css")
    assert status == 200 and headers["Content-Type"].startswith("text/css") and ".app-" in body
    status, headers, _body = _get(f"{demo_server}/static/vendor/nhsuk-frontend/nhsuk-frontend.min.js")
    assert status == 200 and "javascript" in headers["Content-Type"]


def failing_view(request):
    raise RuntimeError("a fault in a view")


urlpatterns = [path("fails/", failing_view), *site_urls.urlpatterns]
handler404, handler500 = site_urls.handler404, site_urls.handler500


def test_a_fault_in_a_page_gets_the_service_500_page(client, settings):
    settings.ROOT_URLCONF = __name__  # the site's URLs and error pages, and one page that fails
    settings.DEBUG = False
    client.raise_request_exception = False
    response = client.get("/fails/")
    body = response.content.decode()
    assert response.status_code == 500
    assert "<h1>Sorry, there is a problem with the service</h1>" in body and "Try again later" in body
    assert "RuntimeError" not in body and "Traceback" not in body
