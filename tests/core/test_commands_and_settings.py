import io
import os
import secrets
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F

from core.models import Membership, User
from core.roles import Role
from practices.models import Inspection, Practice

from ..conftest import ROOT
from ..factories import CommissionerFactory, PracticeFactory


def clean_environment(**changes):
    """The test process's environment for a subprocess, without what the browser tests set for themselves."""
    environment = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return {**environment, **changes}


def manage(*args, env=None):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, capture_output=True, text=True,
                          env=clean_environment(**(env or {})), timeout=120)


@pytest.mark.django_db
def test_create_role_user_ties_each_role_to_its_organisation():
    CommissionerFactory(ods_code="00Y")
    PracticeFactory(ods_code="P85022")
    out = io.StringIO()
    call_command("create_role_user", "cara", "--role", "commissioner_lead", "--org", "00Y",
                 "--password", "a-long-enough-passphrase", stdout=out)
    assert "Created cara: Commissioner lead" in out.getvalue()
    cara = User.objects.get(username="cara")
    assert cara.commissioner.ods_code == "00Y" and cara.check_password("a-long-enough-passphrase")
    call_command("create_role_user", "pat", "--role", "practice_lead", "--org", "p85022", stdout=io.StringIO())
    assert User.objects.get(username="pat").practice.ods_code == "P85022"
    call_command("create_role_user", "ruth", "--role", "rcgp_adviser", stdout=io.StringIO())
    assert User.objects.get(username="ruth").organisation == "RCGP"


@pytest.mark.django_db
def test_create_role_user_also_adds_a_membership_and_makes_nhs_englands_people_admin():
    CommissionerFactory(ods_code="00Y")
    call_command("create_role_user", "dee", "--role", "rcgp_deputy_lead", stdout=io.StringIO())
    out = io.StringIO()
    call_command("create_role_user", "dee", "--role", "rcgp_adviser", "--also", stdout=out)
    assert "Added to dee: RCGP adviser at RCGP" in out.getvalue()
    dee = User.objects.get(username="dee")
    assert (dee.role, dee.other_memberships) == ("rcgp_deputy_lead", 1)
    assert sorted(dee.memberships.values_list("role", flat=True)) == ["rcgp_adviser", "rcgp_deputy_lead"]
    with pytest.raises(CommandError, match="already hold"):
        call_command("create_role_user", "dee", "--role", "rcgp_adviser", "--also", stdout=io.StringIO())
    with pytest.raises(CommandError, match="No user"):
        call_command("create_role_user", "nobody", "--role", "rcgp_adviser", "--also", stdout=io.StringIO())
    call_command("create_role_user", "nia", "--role", "nhse_reporting", "--manages-people", stdout=io.StringIO())
    nia = User.objects.get(username="nia")
    assert nia.memberships.get().manages_people and nia.manages_people  # the header reads the copy
    with pytest.raises(CommandError, match="Only a national NHS England membership"):
        call_command("create_role_user", "cal", "--role", "commissioner_lead", "--org", "00Y", "--manages-people",
                     stdout=io.StringIO())
    assert not User.objects.filter(username="cal").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "commissioner_lead"], "needs --org"),
        (["--role", "commissioner_lead", "--org", "ZZZ"], "No commissioner with ODS code ZZZ"),
        (["--role", "practice_user", "--org", "A99999"], "No practice with ODS code A99999"),
        (["--role", "nhse_reporting", "--org", "00Y"], "leave out --org"),
        (["--role", "rcgp_admin", "--password", "short"], "too short"),
    ],
)
def test_create_role_user_refuses_bad_input(args, message):
    CommissionerFactory(ods_code="00Y")
    with pytest.raises(CommandError, match=message):
        call_command("create_role_user", "someone", *args, stdout=io.StringIO())
    assert not User.objects.filter(username="someone").exists()


@pytest.mark.django_db
def test_seed_demo_prints_logins_and_is_idempotent(settings):
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    text = out.getvalue()
    for role in Role.values:
        assert f"demo-{role}" in text
    assert settings.DEMO_PASSWORD in text
    counts = (Practice.objects.count(), Inspection.objects.count(), User.objects.count())
    assert counts[0] == 1005 and counts[1] == 124
    peer = User.objects.get(username="demo-commissioner_peer_support")
    assert peer.check_password(settings.DEMO_PASSWORD)
    assert peer.commissioner.name == "NHS Greater Manchester ICB – Oldham"
    second = io.StringIO()
    call_command("seed_demo", stdout=second)
    assert "created=0 updated=0 unchanged=1005" in second.getvalue()
    assert (Practice.objects.count(), Inspection.objects.count(), User.objects.count()) == counts
    # Every demo account holds exactly the membership it acts in.
    # Every account holds the membership it acts in; the demo's peer-support account holds a second one.
    assert User.objects.exclude(role="").count() == counts[2]
    assert Membership.objects.count() == counts[2] + 1
    assert User.objects.get(username="demo-commissioner_peer_support").memberships.count() == 2
    assert not Membership.objects.exclude(role=F("user__role")).exists()


def test_production_settings_refuse_to_start_without_secret_key():
    env = {"DJANGO_SETTINGS_MODULE": "resilience.settings.production", "SECRET_KEY": "",
           "DATABASE_URL": os.environ["DATABASE_URL"], "ALLOWED_HOSTS": "example.nhs.uk"}
    env_without = {k: v for k, v in clean_environment(**env).items() if k != "SECRET_KEY"}
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, capture_output=True, text=True,
                            env=env_without, timeout=120)
    assert result.returncode != 0
    assert "Set the SECRET_KEY environment variable" in result.stderr


def test_production_settings_pass_check_deploy():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env={
        "DJANGO_SETTINGS_MODULE": "resilience.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "resilience.example.nhs.uk",
    })
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.django_db
def test_the_applications_connections_run_without_postgresqls_jit_and_with_an_ssds_page_cost():
    """JIT compiling cost a short page query over 100 ms: off for every connection, production too."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
        cursor.execute("SHOW random_page_cost")  # an SSD's, not PostgreSQL's spinning-disk default of 4
        assert cursor.fetchone()[0] == "1.1"
    db = connection.settings_dict
    result = manage("shell", "-c", "from django.db import connection; c = connection.cursor(); c.execute('SHOW jit');"
                    " print('jit', c.fetchone()[0]); c.execute('SHOW random_page_cost');"
                    " print('random_page_cost', c.fetchone()[0])", env={
                        "DJANGO_SETTINGS_MODULE": "resilience.settings.production",
                        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
                        "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "resilience.example.nhs.uk",
                        "DATABASE_RANDOM_PAGE_COST": "2"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "jit off" in result.stdout and "random_page_cost 2" in result.stdout


@pytest.mark.django_db
def test_no_missing_migrations():
    from django.db import connection

    db = connection.settings_dict  # the test database, so the history check talks to a real PostgreSQL
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    result = manage("makemigrations", "--check", "--dry-run", env={"DATABASE_URL": url})
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.django_db
def test_demo_commissioner_sees_the_shared_plan_and_never_the_private_one(client):
    from django.urls import reverse

    from forwardplans import access as document_access
    from forwardplans.models import Action, Milestone
    from forwardplans.selectors import plan_summary

    call_command("seed_demo", stdout=io.StringIO())
    for reference in ("DEMO-SHARED", "DEMO-PRIVATE"):
        actions = Action.objects.filter(plan__contract__reference=reference)
        assert actions.count() >= 10
        assert set(actions.values_list("rag_status", flat=True)) == {"red", "amber", "green"}
        summary = plan_summary(actions.first().plan)
        assert summary.overdue_milestones > 0
        assert Milestone.objects.filter(action__in=actions, done_on__isnull=True).exists()
    shared = Action.objects.filter(plan__contract__reference="DEMO-SHARED").first()
    private = Action.objects.filter(plan__contract__reference="DEMO-PRIVATE").first()
    for role in ("commissioner_peer_support", "commissioner_lead"):
        user = User.objects.get(username=f"demo-{role}")
        assert set(document_access.plans_for(user).values_list("contract__reference", flat=True)) == {"DEMO-SHARED"}
        assert set(document_access.reports_for(user).values_list("contract__reference", flat=True)) == {"DEMO-SHARED"}
        client.force_login(user)
        assert client.get(reverse("forwardplans:plan", args=["DEMO-SHARED"])).status_code == 200
        assert client.get(reverse("forwardplans:action", args=[shared.pk])).status_code == 200
        for url in (reverse("forwardplans:plan", args=["DEMO-PRIVATE"]),
                    reverse("forwardplans:report", args=["DEMO-PRIVATE"]),
                    reverse("forwardplans:action", args=[private.pk])):
            assert client.get(url).status_code == 404, url
    practice = User.objects.get(username="demo-practice_user")
    assert set(document_access.plans_for(practice).values_list("contract__reference", flat=True)) == {"DEMO-SHARED"}


def test_production_static_files_collect(tmp_path):
    result = manage("collectstatic", "--noinput", env={
        "DJANGO_SETTINGS_MODULE": "resilience.settings.production", "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "resilience.example.nhs.uk", "STATIC_ROOT": str(tmp_path)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert list(tmp_path.glob("vendor/nhsuk-frontend/nhsuk-frontend.min.*.css"))
    assert "assets.nhs.uk" not in (tmp_path / "vendor/nhsuk-frontend/nhsuk-frontend.min.css").read_text()
