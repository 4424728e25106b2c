from pathlib import Path

import pytest
from django.core.servers.basehttp import WSGIServer
from django.db import connection

from core.roles import Role

from .browser import browser, page  # noqa: F401  (fixtures shared by every test module)
from .celery_worker import *  # noqa: F403  (the real Celery worker fixtures, see its __all__)
from .docs import docs  # noqa: F401
from .factories import CommissionerFactory, PracticeFactory, user_for
from .smtp import smtp_server, smtp_settings  # noqa: F401  (a real SMTP server and the settings to send to it)

ROOT = Path(__file__).resolve().parent.parent

# The live server's listen backlog (Django's default is 10): the concurrency tests open 50 connections at once.
WSGIServer.request_queue_size = 128
DEMO_DATA = ROOT / "practices" / "demo_data"
ODS_SAMPLE = DEMO_DATA / "ods-epraccur-sample.csv"
CQC_SAMPLE = DEMO_DATA / "cqc-oldham-gp-locations"


@pytest.fixture(autouse=True, scope="session")
def _postgresql_only(django_db_setup, django_db_blocker):
    """The suite proves behaviour on PostgreSQL; it must never pass silently on SQLite."""
    with django_db_blocker.unblock():
        assert connection.vendor == "postgresql", (
            f"tests must run on PostgreSQL, not {connection.vendor}: set DATABASE_URL or use `make test`"
        )


@pytest.fixture(autouse=True, scope="session")
def _jinja2_template_context():
    """Let the test client see Jinja2 templates' context, as it does for Django templates.

    Django's test runner instruments only its own template engine; this sends the same
    template_rendered signal from Jinja2 templates so tests can read ``response.context``.
    """
    from django.template.backends import jinja2 as backend
    from django.test.signals import template_rendered

    original = backend.Template.render

    def render(self, context=None, request=None):
        template_rendered.send(sender=self, template=self, context=dict(context or {}, request=request))
        return original(self, context, request)

    backend.Template.render = render
    yield
    backend.Template.render = original


@pytest.fixture
def world(db):
    """Two commissioners, each with two practices, and a user of every role tied to the first. The first is in
    NHS England's North West region (Y62), the other in North East and Yorkshire (Y63): the NHSE regional user is
    the North West's."""
    own = CommissionerFactory(ods_code="01A", region="Y62")
    other = CommissionerFactory(ods_code="02B", region="Y63")
    practices = {
        "own": PracticeFactory(commissioner=own, name="Own Practice", ods_region="Y62", region="Y62"),
        "own_sibling": PracticeFactory(commissioner=own, name="Sibling Practice", ods_region="Y62", region="Y62"),
        "other": PracticeFactory(commissioner=other, name="Other Practice", ods_region="Y63", region="Y63"),
        "other_sibling": PracticeFactory(commissioner=other, name="Far Practice", ods_region="Y63", region="Y63"),
    }
    users = {role: user_for(role, commissioner=own, practice=practices["own"]) for role in Role.values}
    return {"own": own, "other": other, "practices": practices, "users": users}
