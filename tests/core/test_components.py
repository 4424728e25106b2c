"""NHS.UK components rendered once per distinct set of parameters (core/components.py): the same
HTML as the design system's own macros, reused only for parameters that render the same."""

import datetime

import pytest
from django.template import engines
from markupsafe import Markup

from core.components import Components, freeze, thaw


@pytest.fixture
def env():
    return engines["jinja2"].env


def call(env, source, macro, params, body=None):
    """``macro`` imported from ``source``, called as a template would (with a body for a call block)."""
    template = f'{{% from "{source}" import {macro} %}}'
    template += f"{{{{ {macro}(params) }}}}" if body is None else f"{{% call {macro}(params) %}}{body}{{% endcall %}}"
    return env.from_string(template).render(params=params)


def original(env, macro, folder, params, body=None):
    """The design system's own macro."""
    return call(env, f"nhsuk/components/{folder}/macro.jinja", macro, params, body)


def ours(env, macro, params, body=None):
    return call(env, "macros/nhsuk.jinja", macro, params, body)


HEADER = {
    "service": {"text": "Practice Resilience", "href": "/"},
    "account": {"items": [{"text": "Dr A Khan", "icon": True}, {"text": "Commissioner lead – NHS Oldham"},
                          {"href": "/accounts/password/", "text": "Change password"},
                          {"action": "/accounts/logout/", "text": "Log out", "method": "post"}]},
    "navigation": {"items": [{"text": "Practices", "href": "/practices/", "active": True},
                             {"text": "Notifications (2)", "href": "/notifications/", "active": False}]},
    "search": {"action": "/search/", "name": "q", "placeholder": "Search",
               "label": {"visuallyHiddenText": "Search practices"}, "button": {"ariaLabel": "Search"}},
}
CASES = [
    ("header", "header", HEADER),
    ("tag", "tag", {"text": "Overdue", "classes": "nhsuk-tag--red"}),
    ("button", "button", {"text": "Apply filters", "classes": "nhsuk-button--secondary"}),
    ("select", "select", {"id": "rating", "name": "rating", "label": {"text": "Current rating"},
                          "items": [{"value": "", "text": "Any"},
                                    {"value": "good", "text": "Good", "selected": True}]}),
    ("summaryList", "summary-list", {"rows": [{"key": {"text": "ODS code"}, "value": {"text": "P81001"}}]}),
    ("insetText", "inset-text", {"html": Markup("<p>Shared <strong>with consent</strong></p>")}),
    ("breadcrumb", "breadcrumb", {"items": [{"href": "/", "text": "Home"}]}),
]


@pytest.mark.parametrize(("macro", "folder", "params"), CASES, ids=[case[0] for case in CASES])
def test_a_component_renders_as_the_design_systems_own_macro(env, macro, folder, params):
    expected = original(env, macro, folder, params)
    assert ours(env, macro, params) == expected  # the first time, rendered
    assert ours(env, macro, params) == expected  # and again, from the cache


def test_the_same_parameters_render_once(env):
    components = Components(env)
    params = {"text": "Due 3 December 2026", "classes": "nhsuk-tag--yellow"}
    first = components.tag(params)
    assert components.cache_info().misses == 1
    again = components.tag(dict(params))  # equal, not the same object
    assert again == first and components.cache_info().hits == 1
    components.tag({"text": "Due 4 December 2026", "classes": "nhsuk-tag--yellow"})
    assert components.cache_info().misses == 2


def test_markup_and_text_with_the_same_characters_are_different_parameters(env):
    components = Components(env)
    text = components.insetText({"text": "<b>bold</b>"})
    html = components.insetText({"html": Markup("<b>bold</b>")})
    escaped_text = components.insetText({"text": Markup("<b>bold</b>")})
    plain_text = components.insetText({"text": "<b>bold</b>"})
    assert "&lt;b&gt;bold&lt;/b&gt;" in text and "<b>bold</b>" in html
    assert plain_text == text and "<b>bold</b>" in escaped_text  # text given as Markup is not escaped again


@pytest.mark.parametrize(("a", "b"), [
    (True, 1), (1, 1.0), ("1", 1), (None, ""), (datetime.date(2026, 1, 1), datetime.datetime(2026, 1, 1)),
    (["a", "b"], ("a", "b")), ({"a": 1, "b": 2}, {"b": 2, "a": 1}), (Markup("x"), "x"),
])
def test_keys_tell_apart_values_a_template_could_render_differently(a, b):
    assert freeze(a) != freeze(b)


@pytest.mark.parametrize("value", [
    {"text": "A", "items": [{"value": 1, "selected": True}, {"value": None}], "html": Markup("<i>x</i>"),
     "date": datetime.date(2026, 11, 30), "pair": ("a", 2.5)},
    [], {}, "plain",
])
def test_a_key_gives_its_parameters_back(value):
    thawed = thaw(freeze(value))
    assert thawed == value and freeze(thawed) == freeze(value)
    if isinstance(value, dict) and "html" in value:
        assert type(thawed["html"]) is Markup and type(thawed["items"]) is list and type(thawed["pair"]) is tuple


def test_parameters_that_cannot_be_compared_safely_are_rendered_every_time(env):
    class Label:
        def __str__(self):
            return "Mutable label"

    components = Components(env)
    first = components.tag({"text": Label(), "classes": "nhsuk-tag--grey"})
    components.tag({"text": Label(), "classes": "nhsuk-tag--grey"})
    assert "Mutable label" in first
    assert components.cache_info().hits == components.cache_info().misses == 0


def test_a_call_block_renders_its_body_every_time(env):
    params = {"summaryText": "Record the outcome"}
    first = ours(env, "details", params, body="First body")
    second = ours(env, "details", params, body="Second body")
    assert first == original(env, "details", "details", params, body="First body")
    assert "First body" in first and "Second body" in second and "First body" not in second


def test_an_unknown_component_fails_loudly(env):
    from jinja2 import TemplateNotFound

    with pytest.raises(TemplateNotFound):
        Components(env).notAComponent({})


def test_the_page_header_names_the_user_and_marks_where_they_are(client, world):
    """Two users, two sections: each page shows its own user's header, never another's from the cache."""
    from django.urls import reverse

    from core.roles import Role

    for role, name in ((Role.COMMISSIONER_LEAD, "Lead"), (Role.PRACTICE_USER, "Practice")):
        user = world["users"][role]
        user.first_name, user.last_name = name, "Person"
        user.save()
    for role, name, other in ((Role.COMMISSIONER_LEAD, "Lead Person", "Practice Person"),
                              (Role.PRACTICE_USER, "Practice Person", "Lead Person")):
        client.force_login(world["users"][role])
        for url in (reverse("practices:list"), reverse("contracts:list")):
            html = client.get(url).content.decode()
            header = html[html.index("<header"):html.index("</header>")]
            assert name in header and other not in header
            current = header.split("nhsuk-header__navigation-item--current", 1)[1].split("</li>", 1)[0]
            assert f'href="{url}"' in current
