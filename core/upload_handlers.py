"""Uploads stopped while they stream in, so that one over the limit is never read whole.

The first of settings.FILE_UPLOAD_HANDLERS: Django hands it each chunk of each file before the handlers that keep
the file (in memory, or in a temporary file past FILE_UPLOAD_MAX_MEMORY_SIZE). A body larger than
UPLOAD_MAX_REQUEST_BYTES is refused before a byte of it is read (HostileInputMiddleware refuses it even earlier,
from Content-Length); a file that grows past EVIDENCE_MAX_BYTES stops the upload there. Either way the request is
marked ``upload_too_large`` and answered 413 (core.hostile_input).
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

# After a file has gone over the limit, what is left of the body is read and dropped (in chunks, never kept) when
# it is at most this much, so that the client gets the 413: a server that closes a connection with unread data
# resets it, and a browser then shows its own error instead of ours. Beyond this, reading stops at once.
DRAIN_MAX_BYTES = 1024 * 1024


def file_max_bytes():
    """The largest file accepted in an upload (settings.EVIDENCE_MAX_BYTES, 20 MB by default)."""
    return settings.EVIDENCE_MAX_BYTES


def request_max_bytes():
    """The largest multipart body accepted: one file of the limit, its form's fields and the multipart envelope."""
    return getattr(settings, "UPLOAD_MAX_REQUEST_BYTES", None) or file_max_bytes() + 1024 * 1024


def mark_too_large(request):
    if request is not None:
        request.upload_too_large = True


class SizeLimitUploadHandler(FileUploadHandler):
    """Counts each file's bytes as they arrive and stops the upload at the limit (StopUpload)."""

    body_length = 0  # (FileUploadHandler's content_length is each file's, from its part header)

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):  # noqa: N803 - Django's
        self.body_length = content_length
        if content_length > request_max_bytes():
            mark_too_large(self.request)
            raise RequestDataTooBig("The request body is larger than the upload limit.")
        return None  # the other handlers go on to parse the body

    def receive_data_chunk(self, raw_data, start):
        received = start + len(raw_data)
        if received > file_max_bytes():
            mark_too_large(self.request)
            # Django closes (and so deletes) the partly received file; nothing of it is kept.
            raise StopUpload(connection_reset=self.body_length - received > DRAIN_MAX_BYTES)
        return raw_data  # passed on to the handler that keeps the file

    def file_complete(self, file_size):
        return None  # the next handler makes the uploaded file
