"""Faults: PostgreSQL drops the connection in the middle of a save (a real backend termination)."""

import pytest
from django.db import connection
from django.urls import reverse

from core.roles import Role
from forwardplans.models import Action, RagChange

pytestmark = pytest.mark.django_db(transaction=True)

KILL_ON_RAG_INSERT = """
CREATE OR REPLACE FUNCTION test_drop_connection() RETURNS trigger AS $$
BEGIN
  PERFORM pg_terminate_backend(pg_backend_pid());
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER test_drop_connection BEFORE INSERT ON forwardplans_ragchange
  FOR EACH ROW EXECUTE FUNCTION test_drop_connection();
"""


@pytest.fixture
def connection_dies_on_rag_insert():
    with connection.cursor() as cursor:
        cursor.execute(KILL_ON_RAG_INSERT)
    yield
    connection.close()
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER IF EXISTS test_drop_connection ON forwardplans_ragchange;"
                       "DROP FUNCTION IF EXISTS test_drop_connection();")


def test_connection_dropped_mid_request_answers_503_and_writes_nothing(client, docs, connection_dies_on_rag_insert):
    action = docs["action"]
    client.force_login(docs["users"][Role.PRACTICE_USER])
    response = client.post(reverse("forwardplans:action_rag", args=[action.pk]),
                           {"to_status": "amber", "reason": "Started", "version": action.version})
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Sorry, the service is unavailable" in response.content.decode()
    connection.close()  # the test shares the request's connection, which the database killed
    assert not RagChange.objects.exists()
    saved = Action.objects.get(pk=action.pk)
    assert (saved.rag_status, saved.version) == ("red", action.version)
