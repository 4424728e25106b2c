"""The access matrix's rows of the data returns (tests/access_rows/returns_data.py), run on their own: the same
answers as tests/test_access_matrix.py checks with every other row, in a fraction of its time."""

import pytest
from django.db import transaction

from core.roles import Role
from tests.test_access_matrix import expected, organisations, request_path, write_outcome, write_path  # noqa: F401

from ..access_rows import returns_data  # after the matrix, whose helpers its rows import

pytestmark = pytest.mark.django_db


def test_the_data_returns_rows_of_the_access_matrix(client, world, organisations):  # noqa: F811
    wrong = []
    for name, (key, _spec, _refusal, anonymous) in sorted(returns_data.MATRIX.items()):
        for scope in ["own"] if key is None or key == "financial_year" else ["own", "other"]:
            path = request_path(name, key, organisations, scope)
            client.logout()
            if (status := client.get(path).status_code) != anonymous:
                wrong.append((name, scope, "anonymous", anonymous, status))
            for role in Role.values:
                client.force_login(world["users"][role])
                want = expected(name, scope, role, False)
                if (status := client.get(path).status_code) != want:
                    wrong.append((name, scope, role, want, status))
    for name, (key, data, table) in sorted(returns_data.WRITES.items()):
        for scope in ("own", "other"):
            path = write_path(name, key, organisations, scope)
            for role in Role.values:
                client.force_login(world["users"][role])
                with transaction.atomic():
                    response = client.post(path, data(organisations, scope))
                    transaction.set_rollback(True)
                want = table[scope].get(role, 404)
                if (got := write_outcome(response)) != want:
                    wrong.append(("POST " + name, scope, role, want, got))
    assert wrong == []
