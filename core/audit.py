"""The access log of confidential documents, written by default.

A person reads confidential content when a request of theirs reads a free-text field of a confidential record (a
report's sections, a plan's actions, their progress and milestones, kept versions, questionnaire answers), or is
served a stored file (an evidence upload, a PDF). Models declare which fields and files those are
(``confidential`` and ``confidential_file``); reading one inside a request notes (record, document) in a
request-scoped collector, and ``AuditMiddleware`` writes what the request read, once, after the response is
produced: one row per user, contract and document, in one INSERT. No view has to remember to log anything.

What is not a read of content, and so not logged:
- figures and metadata: ``count()``, ``exists()``, ``values()``/``values_list()`` and instances whose text
  fields are deferred (``only()``): nothing reads a text field, so nothing is noted;
- a listing of stored files (names, sizes): a file counts only when the response serves it;
- work outside a request (Celery jobs, the reminder sweep): there is no collector, so no person is named.

The door a request came through decides how its reads are written (``door``): pages and htmx panels log the
documents read; the REST API, search results, list exports, calendar feeds and Word copies log one row per
contract naming the door, with the documents read as its detail; a served file logs the file as downloaded.
"""

import contextlib
import contextvars
import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import F
from django.db.models.query import ModelIterable, QuerySet
from django.db.models.signals import post_init
from django.http import FileResponse, HttpResponse

logger = logging.getLogger(__name__)

_collector = contextvars.ContextVar("audit_collector", default=None)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTRACT_ANNOTATION = "_audit_contract_id"
DETAIL_LENGTH = 200


@dataclass(frozen=True)
class Confidential:
    """How a model's reads are logged: its ``document`` (a DocumentAccess.Document value), the ``contract`` path
    from the model to the contract's id (``contract_id`` or ``plan__contract``), and an optional ``detail``:
    instance -> what the log names (a file's name, a version's number); it must read only loaded values."""

    document: str
    contract: str
    detail: Callable | None = None
    file: bool = False

    @property
    def direct(self):
        return "__" not in self.contract

    def contract_of(self, instance):
        """The contract's id without a query: the attribute, the annotation the audited QuerySet added, or the
        related objects select_related cached; None if a query is needed (``resolve`` makes one per model)."""
        if self.direct:
            return getattr(instance, self.contract)
        if CONTRACT_ANNOTATION in instance.__dict__:
            return instance.__dict__[CONTRACT_ANNOTATION]
        *relations, last = self.contract.split("__")
        obj = instance
        for name in relations:
            related_field = obj._meta.get_field(name)
            if not related_field.is_cached(obj):
                return None
            obj = related_field.get_cached_value(obj)
            if obj is None:
                return None
        return getattr(obj, obj._meta.get_field(last).attname)

    def detail_of(self, instance):
        if self.detail is None:
            return ""
        with not_a_read():
            return str(self.detail(instance) or "")


@dataclass
class Collector:
    """What one request read: {(model, pk, document): instance} of text reads and of file reads."""

    reads: dict = field(default_factory=dict)
    files: dict = field(default_factory=dict)
    reader: object = None


def note(instance, spec):
    collector = _collector.get()
    if collector is None or instance.pk is None:
        return
    (collector.files if spec.file else collector.reads).setdefault((type(instance), instance.pk), (instance, spec))


def active():
    return _collector.get() is not None


def read_as(user):
    """Name the reader of this request's reads, for a request signed in some other way than the session or an
    API token (a secret feed URL)."""
    collector = _collector.get()
    if collector is not None:
        collector.reader = user


@contextlib.contextmanager
def collecting():
    """Collect the reads made inside; yields the Collector."""
    collector = Collector()
    token = _collector.set(collector)
    try:
        yield collector
    finally:
        _collector.reset(token)


# Declaring what is confidential --------------------------------------------------------------------------------

class _ConfidentialAttribute:
    """Wraps a field's descriptor so that every read of its value inside a request is noted. A data descriptor
    (it has __set__), so it is asked even once the value sits in the instance's __dict__."""

    def __init__(self, inner, attname, spec):
        self.inner, self.attname, self.spec = inner, attname, spec

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        value = self.inner.__get__(instance, owner)
        note(instance, self.spec)
        return value

    def __set__(self, instance, value):
        if hasattr(self.inner, "__set__"):
            self.inner.__set__(instance, value)
        else:
            instance.__dict__[self.attname] = value


def confidential(model, *, document, contract, fields, detail=None):
    """Declare ``fields`` of ``model`` confidential text of ``document``: reading one in a request is logged."""
    spec = Confidential(document, contract, detail)
    model._audit = spec
    for name in fields:
        attname = model._meta.get_field(name).attname
        setattr(model, attname, _ConfidentialAttribute(model.__dict__[attname], attname, spec))
    # Saving and deleting read every field (pre_save, the history row): that is writing, not reading.
    for method in ("save_base", "delete"):
        setattr(model, method, _not_a_read(getattr(model, method)))


def _not_a_read(method):
    @functools.wraps(method)
    def wrapped(*args, **kwargs):
        with not_a_read():
            return method(*args, **kwargs)
    return wrapped


def confidential_file(model, *, document, contract, detail=None):
    """Declare ``model`` a stored file of ``document``: served in a request, it is logged as downloaded. Every
    instance made in a request is noted (a file is served by its path, not through a field); the middleware keeps
    these notes only when the response serves a file, so listing files is not a download."""
    spec = Confidential(document, contract, detail, file=True)
    model._audit = spec

    def noted(sender, instance, **kwargs):
        note(instance, spec)

    post_init.connect(noted, sender=model, weak=False, dispatch_uid=f"audit-{model._meta.label}")


class AuditedIterable(ModelIterable):
    """Instances as usual; inside a request, each also carries its contract's id, selected in the same query, so
    that logging a read of it never costs a query per row. Not for locking reads (a join would lock the related
    rows too) nor grouped or combined queries, whose rows must stay as written: those fall back to ``resolve``."""

    def __iter__(self):
        queryset = self.queryset
        spec = getattr(queryset.model, "_audit", None)
        query = queryset.query
        if (spec is None or spec.direct or not active() or query.select_for_update or query.combinator
                or query.group_by is not None or query.distinct_fields):
            yield from super().__iter__()
            return
        annotated = queryset._chain()
        annotated.query.add_annotation(F(spec.contract), CONTRACT_ANNOTATION, select=True)
        yield from ModelIterable(annotated, self.chunked_fetch, self.chunk_size)


class AuditedQuerySet(QuerySet):
    """The QuerySet of confidential models (their ``objects`` and related managers): see AuditedIterable."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._iterable_class = AuditedIterable


# Writing the log ---------------------------------------------------------------------------------------------

def door(request, response):
    """(document the rows name, or None for the documents read; kind; a description for the detail) of the way
    the content left: a served file, a calendar feed, a Word copy, a list export, the API, search, a page."""
    from core.models import DocumentAccess

    Document, Kind = DocumentAccess.Document, DocumentAccess.Kind
    kind = Kind.DOWNLOADED if response.get("Content-Disposition", "").startswith("attachment") else Kind.VIEWED
    if isinstance(response, FileResponse):
        return None, Kind.DOWNLOADED, ""
    content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
    match = getattr(request, "resolver_match", None)
    api = bool(match and "api" in match.namespaces)
    if content_type == "text/calendar":
        return Document.ICAL, kind, ""
    if content_type == DOCX:
        return Document.WORD, Kind.DOWNLOADED, ""
    if content_type in ("text/csv", XLSX):
        fmt = "CSV" if content_type == "text/csv" else "XLSX"
        return Document.EXPORT, Kind.DOWNLOADED, f"API, {fmt}" if api else fmt
    if api:
        return Document.API, kind, ""
    if match and match.view_name == "search":
        return Document.SEARCH, kind, ""
    return None, kind, "htmx panel" if request.headers.get("HX-Request") == "true" else ""


def resolve(entries):
    """{(model, pk): contract id} of ``entries``: without a query where the instance knows it, else one query per
    model."""
    found, missing = {}, {}
    for key, (instance, spec) in entries.items():
        contract = spec.contract_of(instance)
        if contract is None:
            missing.setdefault((key[0], spec.contract), []).append(key[1])
        else:
            found[key] = contract
    for (model, path), pks in missing.items():
        for pk, contract in model._base_manager.filter(pk__in=pks).values_list("pk", path):
            found[(model, pk)] = contract
    return found


def rows(collector, request, response, user):
    """The DocumentAccess rows of what the request read: one per contract, document and kind."""
    from core.models import DocumentAccess

    labels = dict(DocumentAccess.Document.choices)
    named, kind, how = door(request, response)
    entries = dict(collector.reads)
    if isinstance(response, FileResponse):
        entries.update(collector.files)
    if not entries:
        return []
    contracts = resolve(entries)
    grouped = {}  # {(contract, document): [details]}
    for key, (instance, spec) in entries.items():
        contract = contracts.get(key)
        if contract is None:
            continue
        if named is None:
            grouped.setdefault((contract, spec.document), []).append(spec.detail_of(instance))
        else:
            grouped.setdefault((contract, named), []).append(str(labels.get(spec.document, spec.document)))
    made = []
    for (contract, document), details in sorted(grouped.items(), key=lambda item: (item[0][0], item[0][1])):
        parts = [how] if how else []
        parts += [d for d in dict.fromkeys(sorted(details)) if d]
        made.append(DocumentAccess(user=user, contract_id=contract, document=document, kind=kind,
                                   detail=", ".join(parts)[:DETAIL_LENGTH]))
    return made


def write(collector, request, response):
    user = collector.reader
    if user is None:
        candidate = getattr(request, "user", None)
        user = candidate if candidate is not None and candidate.is_authenticated else None
    made = rows(collector, request, response, user) if user is not None else []
    if user is None and collector.reads:
        logger.warning("confidential content read without a signed-in reader: %s %s", request.method, request.path)
    if made:
        from core.models import DocumentAccess

        with not_a_read():
            DocumentAccess.objects.bulk_create(made)


@contextlib.contextmanager
def not_a_read():
    """Reads inside are not a person's reads: checks on content (is a section written?), copies of it (a kept
    version) and saving it. Never around what a response shows."""
    token = _collector.set(None)
    try:
        yield
    finally:
        _collector.reset(token)


class AuditMiddleware:
    """Collects the confidential reads of each request and writes them, once, when the response is produced
    (a page that failed after reading is logged as well)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with collecting() as collector:
            try:
                response = self.get_response(request)
            except BaseException:
                # Django answers a view's exception with an error page before it reaches here; should one get
                # through, what was read before it is still logged.
                write(collector, request, HttpResponse(status=500))
                raise
        write(collector, request, response)
        return response
