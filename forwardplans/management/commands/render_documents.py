"""Queue the PDFs of a contract's Diagnostic Report and Forward Plan on Celery, wait, print what was stored."""

import time

from celery import current_app as app
from django.core.management.base import BaseCommand, CommandError

from contracts.models import Contract
from forwardplans import outbox, pdf
from forwardplans.job_models import PdfDocument, PdfStatus, StoredPdf
from forwardplans.models import DiagnosticReport, ForwardPlan


def consuming_workers(queue, timeout=1.0):
    """Names of live workers consuming ``queue`` (an empty list when none answer)."""
    try:
        replies = app.control.inspect(timeout=timeout).active_queues() or {}
    except Exception:  # broker down: nobody can answer
        return []
    return sorted(name for name, queues in replies.items() if any(q.get("name") == queue for q in queues))


class Command(BaseCommand):
    help = ("Render the PDFs of a contract's Diagnostic Report and Forward Plan: queued on Celery (a worker must be "
            "running) unless --sync; prints one line per stored PDF: path, bytes, sha256.")

    def add_arguments(self, parser):
        parser.add_argument("--contract", required=True, help="the contract reference, e.g. 31A")
        parser.add_argument("--wait", type=float, default=60.0, help="seconds to wait for the worker (default 60)")
        parser.add_argument("--sync", action="store_true", help="render here, in this process, without Celery")
        parser.add_argument("--document", choices=PdfDocument.values, action="append",
                            help="only this document (repeatable); default every one that exists")

    def handle(self, *args, contract, wait, sync, document, **options):
        found = Contract.objects.select_related("practice").filter(reference=contract).first()
        if found is None:
            raise CommandError(f"No contract with reference {contract!r}")
        documents = [d for d in (document or PdfDocument.values) if self._exists(found, d)]
        if not documents:
            raise CommandError(f"Contract {contract} has no diagnostic report or forward plan yet")
        if sync:
            stored = [self._render_here(found, d) for d in documents]
            return self._finish(stored)

        if app.conf.task_always_eager:
            raise CommandError("No broker: REDIS_URL is not set, so there is no worker to render on. Start Redis and "
                               "`make worker`, or use --sync to render in this process.")
        queue = app.conf.task_default_queue
        outbox.relay()
        workers = consuming_workers(queue)
        if not workers:
            self.stderr.write(f"No Celery worker is consuming queue {queue!r} (start one with `make worker`); "
                              f"waiting up to {wait:g}s.")
        ids = [pdf.request_pdf(contract=found, document=d).pk for d in documents]
        deadline = time.monotonic() + wait
        while True:
            stored = list(StoredPdf.objects.filter(pk__in=ids).order_by("document"))
            if all(s.status != PdfStatus.PENDING for s in stored) or time.monotonic() >= deadline:
                break
            time.sleep(0.25)
        return self._finish(stored, waited=wait, workers=workers)

    @staticmethod
    def _exists(contract, document):
        model = DiagnosticReport if document == PdfDocument.REPORT else ForwardPlan
        return model.objects.filter(contract=contract).exists()

    def _render_here(self, contract, document):
        stored = pdf.request_pdf(contract=contract, document=document, enqueue=False)
        try:
            return pdf.render(stored.pk)
        except Exception as exc:
            return pdf.mark_failed(stored.pk, f"{type(exc).__name__}: {exc}")

    def _finish(self, stored, waited=None, workers=None):
        missing = 0
        for s in stored:
            if s.status == PdfStatus.READY:
                self.stdout.write(f"{pdf.file_path(s)} {s.size} {s.sha256}")
            elif s.status == PdfStatus.FAILED:
                missing += 1
                self.stderr.write(f"{s.get_document_display()}: failed: {s.error}")
            else:
                missing += 1
                self.stderr.write(f"{s.get_document_display()}: not rendered after {waited:g}s"
                                  + ("" if workers else " – no worker is running"))
        if missing:
            raise CommandError(f"{missing} of {len(stored)} PDF(s) not rendered"
                               + ("" if workers or workers is None else ": no worker was running"))
