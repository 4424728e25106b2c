"""The application's URLs and the benchmark's baselines, pages of a given size (``?bytes=N``) with no database work.

- ``/bench/baseline/``: the first baseline, fixed bytes (made once, at import, and only sliced per request).
- ``/bench/baseline-page/``: the same size rendered through the site's own Jinja2 page (base.jinja: the NHS.UK
  header, footer and layout) around fixed text, to show how much of a page's cost is the page shell itself.
- ``/bench/admin/``: Django's admin over the practices (bench/admin_site.py), to compare the service's list with
  Django's own changelist of the same rows.

Both go through the same gunicorn workers and middleware as every page; requested without a session cookie,
nothing in them touches the database. bench/run.py asks for the median size of the pages it measures.
"""

from django.http import HttpResponse
from django.template import engines
from django.urls import path
from markupsafe import Markup

from resilience import urls as app_urls

from .admin_site import site as bench_admin

MAX_BYTES = 2_000_000
_UNIT = b"<p>Baseline page for the benchmark: fixed content, no database work.</p>\n"
_HEAD = b'<!DOCTYPE html><html lang="en"><head><title>Baseline</title></head><body>\n'
_BODY = _UNIT * (MAX_BYTES // len(_UNIT) + 1)


def baseline(request):
    try:
        size = min(MAX_BYTES, max(len(_HEAD), int(request.GET.get("bytes", 60000))))
    except ValueError:
        size = 60000
    return HttpResponse(_HEAD + _BODY[:size - len(_HEAD)], content_type="text/html; charset=utf-8")


_SHELL = ('{% extends "base.jinja" %}{% block title %}Baseline{% endblock %}'
          '{% block main_content %}<h1>Baseline</h1>{{ body }}{% endblock %}')
_rendered = {}


def baseline_page(request):
    try:
        size = min(MAX_BYTES, int(request.GET.get("bytes", 60000)))
    except ValueError:
        size = 60000
    if "template" not in _rendered:
        _rendered["template"] = engines["jinja2"].from_string(_SHELL)
    # The shell's own size, for a visitor and for a signed-in user (whose header is longer), measured once each.
    kind = ("shell", request.user.is_authenticated)
    if kind not in _rendered:
        _rendered[kind] = len(_rendered["template"].render({"body": ""}, request).encode())
    filler = Markup(_BODY[:max(0, size - _rendered[kind])].decode())  # noqa: S704  (our own fixed text)
    return HttpResponse(_rendered["template"].render({"body": filler}, request))


urlpatterns = [
    path("bench/baseline/", baseline, name="bench_baseline"),
    path("bench/baseline-page/", baseline_page, name="bench_baseline_page"),
    path("bench/admin/", bench_admin.urls),
    *app_urls.urlpatterns,
]
handler403 = app_urls.handler403
handler404 = app_urls.handler404
handler500 = app_urls.handler500
