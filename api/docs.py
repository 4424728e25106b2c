"""Who may read the API's schema and its docs page: signed-in users (a session or a token), or anyone when
``API_DOCS_PUBLIC`` is set. The schema answers 401 to anyone else (the API's error body, in JSON like every API
error); the docs page, read in a browser, sends them to sign in."""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import BasePermission
from rest_framework.renderers import JSONRenderer


class DocsReaders(BasePermission):
    """Read when each request is checked, so the setting (and a test's override) applies."""

    def has_permission(self, request, view):
        return settings.API_DOCS_PUBLIC or bool(request.user and request.user.is_authenticated)


class JsonErrors:
    """Errors in the API's JSON body, not in the view's own format (YAML or HTML)."""

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return response


class SchemaView(JsonErrors, SpectacularAPIView):
    permission_classes = [DocsReaders]


class DocsView(JsonErrors, SpectacularSwaggerSplitView):
    """Swagger UI (and its start-up script, ``?script``)."""

    permission_classes = []  # checked in get(): a browser without a session is sent to sign in, not answered 401

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        if not DocsReaders().has_permission(request, self):
            return redirect_to_login(request.get_full_path())
        return super().get(request, *args, **kwargs)
