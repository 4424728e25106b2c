"""The practice page lists the practice's contracts the reader may see, with the report and plan they may open."""

import pytest
from django.urls import reverse

from core.roles import Role

from ..cases import advance
from ..factories import ContractFactory

pytestmark = pytest.mark.django_db
R = Role


def section(client, user, practice):
    client.force_login(user)
    html = client.get(reverse("practices:detail", args=[practice.ods_code])).content.decode()
    start = html.index('id="practice-support"')
    return html[start:html.index("</section>", start)]


def test_the_practice_page_links_to_its_contracts_and_the_documents_each_reader_may_open(client, world, docs):
    own, users = world["practices"]["own"], world["users"]
    ContractFactory(reference="OTHER-1", practice=world["practices"]["other"])
    adviser = section(client, users[R.RCGP_ADVISER], own)
    assert 'href="/contracts/DOC-1/"' in adviser
    assert 'href="/contracts/DOC-1/report/"' in adviser and 'href="/contracts/DOC-1/plan/"' in adviser
    assert "OTHER-1" not in adviser

    commissioner = section(client, users[R.COMMISSIONER_PEER_SUPPORT], own)
    assert 'href="/contracts/DOC-1/"' in commissioner
    assert "/contracts/DOC-1/plan/" not in commissioner and "None you can open" in commissioner  # not shared yet
    advance(docs["contract"], "review_meeting", users)
    assert 'href="/contracts/DOC-1/plan/"' in section(client, users[R.COMMISSIONER_PEER_SUPPORT], own)


def test_a_practice_with_no_contracts_says_so(client, world):
    assert "No contracts for this practice" in section(client, world["users"][R.RCGP_ADMIN],
                                                        world["practices"]["own_sibling"])
