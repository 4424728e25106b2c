"""The Jinja2 environment for pages: Django's static/url helpers and UK formatting filters."""

import datetime
import functools

from django.conf import settings
from django.contrib.messages import get_messages
from django.middleware.csrf import get_token
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse
from jinja2 import ChainableUndefined, Environment
from markupsafe import Markup

from core.components import Components
from core.formatting import uk_date, uk_datetime
from core.pagination import pagination_params
from core.sessions import seconds_left
from dashboards.navigation import navigation_for
from practices.ratings import TAG_COLOURS, Rating


def url(name, *args, **kwargs):
    """reverse(), remembered: a list page links every row, and reversing is a large part of rendering it."""
    try:
        return _reverse(get_urlconf(), get_script_prefix(), name, args, tuple(kwargs.items()))
    except TypeError:  # an argument that cannot be a cache key
        return reverse(name, args=args or None, kwargs=kwargs or None)


@functools.lru_cache(maxsize=8192)
def _reverse(urlconf, prefix, name, args, kwargs):
    return reverse(name, urlconf=urlconf, args=args or None, kwargs=dict(kwargs) or None)


def rating_label(value):
    return Rating(value).label if value else "No published rating"


def rating_classes(value):
    return TAG_COLOURS.get(value, "nhsuk-tag--grey")


# Where a cached component's form takes this request's CSRF field (an HTML comment: escaped text cannot make one).
CSRF_SLOT = Markup("<!--csrf-field-->")


def with_csrf(html, csrf_input):
    """``html`` (a component rendered with CSRF_SLOT in a form) with this request's CSRF field in the slot."""
    return Markup(str(html).replace(CSRF_SLOT, str(csrf_input)))  # noqa: S704  # nosec B704 (both safe HTML already)


def query_string(request, **changes):
    """The current query string with some parameters replaced (None removes one)."""
    params = request.GET.copy()
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


def environment(**options):
    # The nhsuk-frontend-jinja macros read optional nested parameters (params.search.action).
    options = {**options, "undefined": ChainableUndefined}
    options.pop("autoescape", None)
    env = Environment(autoescape=True, **options)
    env.globals.update(
        nhsuk=Components(env),
        csrf_slot=CSRF_SLOT,
        static=functools.lru_cache(maxsize=1024)(static),  # a static file's URL is fixed for the process
        url=url,
        csrf_token=get_token,
        get_messages=get_messages,
        navigation_for=navigation_for,
        pagination_params=pagination_params,
        query_string=query_string,
        service_name="Practice Resilience",
        assetPath=settings.STATIC_URL + "vendor/nhsuk-frontend/assets",
        today=datetime.date.today,
        session_seconds_left=seconds_left,
        session_warning_seconds=lambda: settings.SESSION_WARNING_SECONDS,
        autosave_seconds=lambda: settings.AUTOSAVE_SECONDS,
    )
    env.filters.update(uk_date=uk_date, uk_datetime=uk_datetime, rating_label=rating_label,
                       rating_classes=rating_classes, with_csrf=with_csrf)
    return env
