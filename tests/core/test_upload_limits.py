"""An upload over the limit is answered 413 before it is read whole, and memory shows it.

In the test process: the request body is made as it is read (never held whole, so any memory it takes is the
application's), posted through the Django test client, and Python's allocations are traced (tracemalloc) while the
request is answered. Against a real gunicorn: a client declares a 200 MB body, sends the first megabyte, and reads
the 413; the worker's peak resident memory (VmHWM) is read from /proc before and after. In Chromium, against the
same server and in place with htmx, an upload over the limit shows the 413 page.
"""

import re
import socket
import threading
import tracemalloc
import types
from pathlib import Path

import pytest
from django.urls import reverse

from core.roles import Role
from forwardplans.models import Evidence

from .. import servers
from ..browser import log_in
from ..factories import PASSWORD

MB = 1024 * 1024
BOUNDARY = "----practice-resilience-limit-test"
PDF_HEAD = b"%PDF-1.4\n% evidence\n"


class StreamedBody:
    """A multipart body with one file field, made as it is read; counts the bytes read from it."""

    def __init__(self, file_size, version=1, name="minutes.pdf"):
        self.head = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"version\"\r\n\r\n{version}\r\n"
                     f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
                     "Content-Type: application/pdf\r\n\r\n").encode() + PDF_HEAD
        self.file_size = file_size
        self.tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        self.length = len(self.head) + (file_size - len(PDF_HEAD)) + len(self.tail)
        self.bytes_read = 0

    def _bytes_at(self, position, size):
        body_end = len(self.head) + self.file_size - len(PDF_HEAD)
        out = bytearray()
        while size > 0 and position < self.length:
            if position < len(self.head):
                piece = self.head[position:position + size]
            elif position < body_end:
                piece = b"a" * min(size, body_end - position)
            else:
                piece = self.tail[position - body_end:position - body_end + size]
            out += piece
            position += len(piece)
            size -= len(piece)
        return bytes(out)

    def read(self, size=-1):
        if size is None or size < 0:
            size = self.length - self.bytes_read
        data = self._bytes_at(self.bytes_read, size)
        self.bytes_read += len(data)
        return data

    def readline(self, size=-1):
        data = self._bytes_at(self.bytes_read, 8192 if size is None or size < 0 else size)
        line = data[:data.index(b"\n") + 1] if b"\n" in data else data
        self.bytes_read += len(line)
        return line


def post_streamed(client, url, body, declared_length=None, **headers):
    """POST the streamed body through the test client, tracing Python's allocations meanwhile; (response, peak)."""
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": url, "wsgi.input": body,
               "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
               "CONTENT_LENGTH": str(declared_length or body.length), **headers}
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        response = client.request(**environ)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return response, peak


@pytest.fixture
def practice_client(client, docs, settings, tmp_path):
    """Signed in as the practice, and warmed up (the refusal page compiled) so that a trace measures the request."""
    settings.MEDIA_ROOT = tmp_path
    client.force_login(docs["users"][Role.PRACTICE_USER])
    url = reverse("forwardplans:evidence_upload", args=[docs["action"].pk])
    assert post_streamed(client, url, StreamedBody(1024), declared_length=500 * MB)[0].status_code == 413
    return client


def saved_files(tmp_path):
    return [path for path in tmp_path.rglob("*") if path.is_file()]


def test_a_body_declared_over_the_limit_is_refused_before_a_byte_is_read(practice_client, docs, tmp_path):
    action = docs["action"]
    body = StreamedBody(200 * MB, version=action.version)
    response, peak = post_streamed(practice_client, reverse("forwardplans:evidence_upload", args=[action.pk]), body)
    page = response.content.decode()
    assert response.status_code == 413
    assert body.bytes_read == 0
    assert peak < 2 * MB, f"peak {peak / MB:.1f} MB for a 200 MB body"
    assert "The file or form is too large" in page and "Files must be smaller than 20 MB. Nothing was saved." in page
    assert "nhsuk-header" in page
    assert not Evidence.objects.exists() and saved_files(tmp_path) == []


def test_an_in_place_upload_over_the_limit_is_shown_in_place(practice_client, docs):
    """htmx swaps a 413 (base.jinja's htmx-config); the answer asks it to replace the page's body."""
    action = docs["action"]
    response, _peak = post_streamed(practice_client, reverse("forwardplans:evidence_upload", args=[action.pk]),
                                    StreamedBody(30 * MB, version=action.version), HTTP_HX_REQUEST="true")
    assert response.status_code == 413
    assert response["HX-Retarget"] == "body" and response["HX-Reswap"] == "innerHTML"


def test_a_file_growing_past_the_limit_is_stopped_by_the_upload_handler(practice_client, docs, settings, tmp_path):
    """The body's declared size is allowed here (as if the request limit were set high), so the file streams in;
    the upload handler stops it at the evidence limit: neither read on nor held."""
    settings.EVIDENCE_MAX_BYTES = 2 * MB
    settings.UPLOAD_MAX_REQUEST_BYTES = 100 * MB
    action = docs["action"]
    body = StreamedBody(50 * MB, version=action.version)
    response, peak = post_streamed(practice_client, reverse("forwardplans:evidence_upload", args=[action.pk]), body)
    assert response.status_code == 413
    assert "Files must be smaller than 2 MB" in response.content.decode()
    assert body.bytes_read < 3 * MB, f"read {body.bytes_read / MB:.1f} MB of a 50 MB body"
    assert peak < 2 * MB, f"peak {peak / MB:.1f} MB for a 50 MB body"
    assert not Evidence.objects.exists() and saved_files(tmp_path) == []


def test_a_little_over_the_limit_is_read_to_the_end_so_the_browser_gets_the_answer(practice_client, docs, settings):
    """Within the request limit (the file's limit and a megabyte), what is left after the file's limit is read
    and dropped: a server that closed the connection with it unread would reset it, and the browser would show its
    own error instead of the 413 page."""
    settings.EVIDENCE_MAX_BYTES = 2 * MB
    action = docs["action"]
    body = StreamedBody(2 * MB + 512 * 1024, version=action.version)
    response, peak = post_streamed(practice_client, reverse("forwardplans:evidence_upload", args=[action.pk]), body)
    assert response.status_code == 413
    assert body.bytes_read == body.length
    assert peak < 6 * MB
    assert not Evidence.objects.exists()


def test_a_file_just_within_the_limit_is_accepted(practice_client, docs, settings, tmp_path):
    settings.EVIDENCE_MAX_BYTES = 2 * MB
    action = docs["action"]
    body = StreamedBody(2 * MB, version=action.version)
    response, _peak = post_streamed(practice_client, reverse("forwardplans:evidence_upload", args=[action.pk]), body)
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.size == 2 * MB and evidence.original_name == "minutes.pdf"
    assert [path.stat().st_size for path in saved_files(tmp_path)] == [2 * MB]


def test_a_form_body_over_the_limit_is_refused_for_the_api_and_the_pages(client, docs, settings):
    """Bodies other than uploads (forms, the API's JSON) are refused over DATA_UPLOAD_MAX_MEMORY_SIZE, unread."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    body = StreamedBody(limit + 1)
    environ = {"wsgi.input": body, "CONTENT_LENGTH": str(limit + 1)}
    page = client.request(**environ, REQUEST_METHOD="POST", PATH_INFO="/accounts/login/",
                          CONTENT_TYPE="application/x-www-form-urlencoded")
    assert page.status_code == 413 and "The file or form is too large" in page.content.decode()
    api = client.request(**environ, REQUEST_METHOD="PATCH", PATH_INFO=f"/api/v1/actions/{docs['action'].pk}/",
                         CONTENT_TYPE="application/json")
    assert api.status_code == 413
    assert api.json() == {"error": {"status": 413, "code": "too_large", "fields": {},
                                    "detail": f"The request body must be at most {limit} bytes."}}
    assert body.bytes_read == 0


# A real server ----------------------------------------------------------------------------------------------------

def _peak_rss(pid):
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE).group(1)) * 1024


def _raw_request(port, head, body_bytes_to_send):
    """Send the request head and at most ``body_bytes_to_send`` of the body (from another thread, stopping when the
    server stops reading), and read the whole answer."""
    sent = [0]
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(head)

        def send_body():
            chunk = b"a" * (64 * 1024)
            try:
                while sent[0] < body_bytes_to_send:
                    connection.sendall(chunk)
                    sent[0] += len(chunk)
            except OSError:
                pass  # the server answered and closed: what matters is what it said

        sender = threading.Thread(target=send_body)
        sender.start()
        answer = b""
        try:
            while data := connection.recv(65536):
                answer += data
        except ConnectionResetError:
            pass
        sender.join(timeout=30)
    return answer, sent[0]


def _refuses_a_nul(base):
    """A request the application refuses at once (a NUL in the query): the server is up, no database needed."""
    try:
        answer, _sent = _raw_request(int(base.rsplit(":", 1)[1]), b"GET /?q=%00 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 0)
    except OSError:
        return False
    return answer.startswith(b"HTTP/1.1 400")


@pytest.fixture
def gunicorn_limits(tmp_path):
    """gunicorn, one sync worker, on the test settings with a 2 MB evidence limit."""
    with servers.gunicorn(tmp_path, "--workers", "1", env={"EVIDENCE_MAX_BYTES": str(2 * MB)},
                          ready=_refuses_a_nul) as (_base, port, process):
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
        assert len(children) == 1, children
        yield port, int(children[0])


def test_a_real_server_answers_413_to_uploads_over_the_limit_without_holding_them(gunicorn_limits):
    port, worker = gunicorn_limits
    before = _peak_rss(worker)
    head = (f"POST /actions/1/evidence/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {200 * MB}\r\n\r\n").encode()
    answer, sent = _raw_request(port, head, MB)
    after = _peak_rss(worker)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:300]
    assert b"Files must be smaller than 2 MB" in answer
    assert sent <= MB
    assert after - before < 16 * MB, f"worker peak grew by {(after - before) / MB:.1f} MB"
    # Within the request limit but past the file's: streamed in, stopped at the limit, the rest read and dropped,
    # and the client gets the 413 (not a reset connection).
    body = StreamedBody(2 * MB + 300 * 1024)
    head = (f"POST /actions/1/evidence/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {body.length}\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(head + body.read())
        answer = b""
        while data := connection.recv(65536):
            answer += data
    assert answer.startswith(b"HTTP/1.1 413"), answer[:300]
    assert b"Files must be smaller than 2 MB" in answer


@pytest.fixture
def page_without_javascript(browser):
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def upload_in_browser(page, server, docs, path):
    log_in(page, server, docs["users"][Role.PRACTICE_USER].username, PASSWORD)
    page.goto(f"{server.url}/actions/{docs['action'].pk}/")
    page.get_by_label("Upload evidence").set_input_files(str(path))
    page.get_by_role("button", name="Upload", exact=True).click()
    page.get_by_role("heading", name="The file or form is too large").wait_for()
    return page.locator("main").inner_text()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("size_mb", [3, 45], ids=["stopped-by-the-upload-handler", "refused-from-content-length"])
def test_a_browser_gets_the_413_page_from_a_real_server(gunicorn_limits, page_without_javascript, docs, tmp_path,
                                                        size_mb):
    """Chromium gets the answer (not a reset connection) whether gunicorn stopped reading the file at the limit or
    never read the body (a plain form post: JavaScript off)."""
    port, _worker = gunicorn_limits
    big = tmp_path / "big.pdf"
    big.write_bytes(PDF_HEAD + b"a" * (size_mb * MB))
    text = upload_in_browser(page_without_javascript, types.SimpleNamespace(url=f"http://127.0.0.1:{port}"), docs,
                             big)
    assert "Files must be smaller than 2 MB. Nothing was saved." in text
    assert not Evidence.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_an_in_place_upload_over_the_limit_shows_the_413_page_in_place(live_server, page, docs, tmp_path):
    """htmx swaps the 413 page in (base.jinja's htmx-config, the answer's HX-Retarget): the address stays."""
    big = tmp_path / "big.pdf"
    big.write_bytes(PDF_HEAD + b"a" * (21 * MB))
    text = upload_in_browser(page, live_server, docs, big)
    assert "Files must be smaller than 20 MB. Nothing was saved." in text
    assert page.url == f"{live_server.url}/actions/{docs['action'].pk}/"
    assert not Evidence.objects.exists()
