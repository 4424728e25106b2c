"""NHS.UK design-system components (nhsuk-frontend-jinja), each rendered once per distinct set of parameters.

A component's HTML depends only on the parameters it is given, so the same parameters give the same HTML: the
header of a user's pages, the tag "Overdue" on forty cards, the commissioner filter of every practice list.
Rendering one through its macro costs a template include and the design system's attribute macros (the header
alone took a third of a short page's time); here the first rendering is kept, in a bounded LRU cache
per process, and later calls with equal parameters reuse it.

Templates import components from ``macros/nhsuk.jinja`` (``{% from "macros/nhsuk.jinja" import button %}``),
which takes them from the ``nhsuk`` global set in resilience/jinja2.py. The HTML is the component's own
template's, unchanged. Parameters are compared by type and value (a ``Markup`` string is not the plain string
with the same characters, ``True`` is not ``1``, a mapping's order is kept); parameters holding anything other
than strings, numbers, dates, ``None`` and lists or mappings of them, and calls with a body
(``{% call details(...) %}``), are rendered every time.
"""

import datetime
import decimal
import functools
import re

from jinja2 import Undefined
from markupsafe import Markup

CACHE_SIZE = 4096
_SCALARS = frozenset({int, float, bool, type(None), decimal.Decimal, datetime.date, datetime.datetime})
# Macro names whose component folder is not the name in kebab case.
_FOLDERS = {"image": "images", "list": "do-dont-list", "table": "tables"}


class _Unkeyable(Exception):
    """The parameters hold something that cannot be compared safely: render without the cache."""


def freeze(value):
    """A hashable key that gives ``value`` back (thaw) and tells apart values a template would render
    differently."""
    kind = type(value)
    if kind is str:
        return value
    if kind is Markup:
        return (Markup, str(value))
    if kind in _SCALARS:
        return (kind, value)
    if kind is dict:
        if not all(type(key) is str for key in value):
            raise _Unkeyable
        return (dict, tuple((key, freeze(item)) for key, item in value.items()))
    if kind is list or kind is tuple:
        return (kind, tuple(freeze(item) for item in value))
    raise _Unkeyable


def thaw(key):
    if type(key) is str:
        return key
    kind, value = key
    if kind is Markup:
        return Markup(value)  # noqa: S704  # nosec B704 (it was Markup when it was frozen)
    if kind is dict:
        return {name: thaw(item) for name, item in value}
    if kind is list:
        return [thaw(item) for item in value]
    if kind is tuple:
        return tuple(thaw(item) for item in value)
    return value


def folder_of(macro_name):
    return _FOLDERS.get(macro_name) or re.sub(r"(?<!^)(?=[A-Z])", "-", macro_name).lower()


class Components:
    """``nhsuk.<macroName>(params)`` renders ``nhsuk/components/<macro-name>/template.jinja`` as the design
    system's macro of that name does, from the cache when the same parameters were rendered before."""

    def __init__(self, environment, cache_size=CACHE_SIZE):
        self._environment = environment
        self._callables = {}
        self._render_key = functools.lru_cache(maxsize=cache_size)(self._render_frozen)

    def __getattr__(self, macro_name):
        if macro_name.startswith("_"):
            raise AttributeError(macro_name)
        if macro_name not in self._callables:
            template_name = f"nhsuk/components/{folder_of(macro_name)}/template.jinja"
            self._environment.get_template(template_name)  # an unknown component fails here, loudly

            def component(params=None, caller=None, _template_name=template_name):
                return self.render(_template_name, {} if params is None else params, caller)

            component.__name__ = macro_name
            self._callables[macro_name] = component
        return self._callables[macro_name]

    def render(self, template_name, params, caller=None):
        if caller is None or isinstance(caller, Undefined):
            try:
                key = freeze(params)
            except _Unkeyable:
                pass
            else:
                return self._render_key(template_name, key)
        return self._render(template_name, params, caller)

    def cache_info(self):
        return self._render_key.cache_info()

    def clear(self):
        self._render_key.cache_clear()

    def _render_frozen(self, template_name, key):
        return self._render(template_name, thaw(key))

    def _render(self, template_name, params, caller=None):
        context = {"params": params}
        if caller is not None and not isinstance(caller, Undefined):
            context["caller"] = caller
        # The design system's template, rendered with autoescape: its output is HTML already escaped.
        return Markup(self._environment.get_template(template_name).render(context))  # noqa: S704  # nosec B704
