"""Checking evidence uploads by their content, not their name (issue 4, "Bad input").

Accepted: PDF; Office documents (Word, Excel, PowerPoint: 2007+ OOXML, legacy 97-2003 OLE, and
OpenDocument text/spreadsheet/presentation); PNG, JPEG, GIF and WebP images; UTF-8 plain text.

The file is read once, in chunks, for its size and SHA-256, never holding more than a chunk and the
first few kilobytes in memory, and reading at most ``max_bytes + 1`` bytes. Zip-based documents are
checked for zip bombs from the archive's directory (``infolist``) without extracting anything.
"""

import codecs
import hashlib
import re
import zipfile
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
HEAD_BYTES = 8192
CHUNK_BYTES = 64 * 1024

# Zip-bomb limits (read from the zip's central directory, never by extracting).
ZIP_MAX_UNCOMPRESSED = 100 * 1024 * 1024
ZIP_MAX_RATIO = 100
ZIP_MAX_MEMBERS = 10_000

PDF = "application/pdf"
PNG, JPEG, GIF, WEBP = "image/png", "image/jpeg", "image/gif", "image/webp"
DOC, XLS, PPT = "application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
ODP = "application/vnd.oasis.opendocument.presentation"
TEXT = "text/plain"

# Accepted content types, a label for messages, and the file name extensions that fit each.
ACCEPTED = {
    PDF: ("a PDF", {"pdf"}),
    PNG: ("a PNG image", {"png"}),
    JPEG: ("a JPEG image", {"jpg", "jpeg", "jpe", "jfif"}),
    GIF: ("a GIF image", {"gif"}),
    WEBP: ("a WebP image", {"webp"}),
    DOC: ("a Word document", {"doc", "dot"}),
    XLS: ("an Excel spreadsheet", {"xls", "xlt"}),
    PPT: ("a PowerPoint presentation", {"ppt", "pps", "pot"}),
    DOCX: ("a Word document", {"docx", "dotx"}),
    XLSX: ("an Excel spreadsheet", {"xlsx", "xltx"}),
    PPTX: ("a PowerPoint presentation", {"pptx", "ppsx", "potx"}),
    ODT: ("an OpenDocument text document", {"odt"}),
    ODS: ("an OpenDocument spreadsheet", {"ods"}),
    ODP: ("an OpenDocument presentation", {"odp"}),
    TEXT: ("a plain text file", {"txt", "text", "csv", "tsv", "md", "log"}),
}
KNOWN_EXTENSIONS = {ext: mime for mime, (_label, exts) in ACCEPTED.items() for ext in exts}

MESSAGES = {
    "required": "Select a file to upload",
    "empty": "The selected file is empty",
    "too_large": "The selected file must be smaller than {limit}",
    "type": "The selected file must be a PDF, an Office document, an image or plain text",
    "mismatch": "The selected file’s name ends in .{extension} but the file is not {label}",
    "zip_too_big": "The selected file must be smaller than {limit} when uncompressed",
    "zip_bomb": "The selected file is too compressed to check safely – save it again without extra compression "
                "or upload it as a PDF",
    "corrupt": "The selected file is damaged and cannot be opened – save it again and upload the new copy",
}

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURE = b"PK\x03\x04"
# Names of the main stream of legacy Office files, as they appear (UTF-16LE) in the OLE directory.
# A compound file without one of these (an MSI installer, an Outlook message, ...) is refused.
OLE_STREAMS = {
    "WordDocument": DOC,
    "Workbook": XLS,
    "Book": XLS,
    "PowerPoint Document": PPT,
}
_OLE_PATTERNS = {name.encode("utf-16-le") + b"\x00\x00": mime for name, mime in OLE_STREAMS.items()}
_OLE_OVERLAP = max(len(p) for p in _OLE_PATTERNS) - 1

OOXML_PARTS = [("word/", DOCX), ("xl/", XLSX), ("ppt/", PPTX)]
ODF_TYPES = {ODT, ODS, ODP}
FILETYPE_ACCEPTED = {PDF, PNG, JPEG, GIF, WEBP}

# Control characters a text file should not contain (tab, line feed, form feed and carriage return are fine).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
MAX_CONTROL_PER_100_CHARS = 1


def human_size(size):
    """20971520 -> '20 MB'; 1536 -> '1.5 KB'."""
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= factor:
            value = size / factor
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{size} bytes"


def _refuse(code, **params):
    raise ValidationError(MESSAGES[code].format(**params), code=code)


class _TextCheck:
    """Streams bytes through a UTF-8 decoder and counts what a plain text file should not contain."""

    def __init__(self):
        self.decoder = codecs.getincrementaldecoder("utf-8-sig")()
        self.ok = True
        self.chars = 0
        self.controls = 0

    def feed(self, data, final=False):
        if not self.ok:
            return
        if b"\x00" in data:
            self.ok = False
            return
        try:
            text = self.decoder.decode(data, final)
        except UnicodeDecodeError:
            self.ok = False
            return
        self.chars += len(text)
        self.controls += len(_CONTROL.findall(text))

    @property
    def is_text(self):
        return self.ok and self.chars > 0 and self.controls * 100 <= self.chars * MAX_CONTROL_PER_100_CHARS


def _read(uploaded_file, max_bytes):
    """One streaming pass: size, SHA-256, the first HEAD_BYTES, text-ness and legacy Office stream names."""
    digest = hashlib.sha256()
    head = bytearray()
    size = 0
    text = _TextCheck()
    ole_found = set()
    tail = b""
    uploaded_file.seek(0)
    while True:
        # Never ask for more than one byte past the limit in total.
        chunk = uploaded_file.read(min(CHUNK_BYTES, max_bytes + 1 - size))
        if not chunk:
            break
        size += len(chunk)
        if size > max_bytes:
            _refuse("too_large", limit=human_size(max_bytes))
        digest.update(chunk)
        if len(head) < HEAD_BYTES:
            head += chunk[:HEAD_BYTES - len(head)]
        text.feed(chunk)
        if head.startswith(OLE_SIGNATURE):
            window = tail + chunk
            ole_found.update(mime for pattern, mime in _OLE_PATTERNS.items() if pattern in window)
            tail = window[-_OLE_OVERLAP:]
    text.feed(b"", final=True)
    uploaded_file.seek(0)
    return size, digest.hexdigest(), bytes(head), text.is_text, ole_found


def _zip_type(uploaded_file):
    """The Office type of a zip-based document, after checking it is not a zip bomb; None if not Office."""
    try:
        with zipfile.ZipFile(uploaded_file) as archive:
            members = archive.infolist()
            if len(members) > ZIP_MAX_MEMBERS:
                _refuse("zip_bomb")
            uncompressed = sum(m.file_size for m in members)
            compressed = sum(m.compress_size for m in members)
            if uncompressed > ZIP_MAX_UNCOMPRESSED:
                _refuse("zip_too_big", limit=human_size(ZIP_MAX_UNCOMPRESSED))
            if uncompressed > ZIP_MAX_RATIO * max(compressed, 1):
                _refuse("zip_bomb")
            names = {m.filename for m in members}
            if "[Content_Types].xml" in names:
                for prefix, mime in OOXML_PARTS:
                    if any(name.startswith(prefix) for name in names):
                        return mime
                return None
            if "mimetype" in names:
                info = archive.getinfo("mimetype")
                if info.file_size > 100:
                    return None
                declared = archive.read(info).decode("ascii", "replace").strip()
                return declared if declared in ODF_TYPES else None
            return None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, NotImplementedError):
        _refuse("corrupt")
    finally:
        uploaded_file.seek(0)


def _detect(uploaded_file, head, is_text, ole_found):
    """The accepted content type of the file, or None."""
    if head.startswith(ZIP_SIGNATURE):
        return _zip_type(uploaded_file)
    if head.startswith(OLE_SIGNATURE):
        # Prefer what filetype recognises; otherwise the main stream named in the OLE directory.
        kind = filetype.guess(head)
        if kind and kind.mime in (DOC, XLS, PPT):
            return kind.mime
        return next((mime for mime in (DOC, XLS, PPT) if mime in ole_found), None)
    kind = filetype.guess(head)
    if kind is not None:
        # A binary signature: only the few accepted ones pass (an MZ executable, an archive, ... do not).
        return kind.mime if kind.mime in FILETYPE_ACCEPTED else None
    return TEXT if is_text else None


def validate_evidence_file(uploaded_file, *, max_bytes=None):
    """Check an uploaded evidence file and return ``(content_type, size, sha256)``.

    Raises ValidationError (messages in the NHS design system style) for a missing, empty or
    oversize file, a type other than PDF, Office, image or plain text, a name that claims another
    type, a damaged zip or a zip bomb. The file is left positioned at its start.
    """
    if uploaded_file is None:
        _refuse("required")
    if max_bytes is None:
        max_bytes = getattr(settings, "EVIDENCE_MAX_BYTES", None) or DEFAULT_MAX_BYTES
    declared_size = getattr(uploaded_file, "size", None)
    if declared_size == 0:
        _refuse("empty")
    if declared_size is not None and declared_size > max_bytes:
        _refuse("too_large", limit=human_size(max_bytes))

    size, sha256, head, is_text, ole_found = _read(uploaded_file, max_bytes)
    if size == 0:
        _refuse("empty")
    content_type = _detect(uploaded_file, head, is_text, ole_found)
    if content_type not in ACCEPTED:
        _refuse("type")

    extension = PurePath(getattr(uploaded_file, "name", "") or "").suffix.lower().lstrip(".")
    claimed = KNOWN_EXTENSIONS.get(extension)
    if claimed is not None and ACCEPTED[claimed][0] != ACCEPTED[content_type][0]:
        # e.g. "report.pdf" that is really text. Within a family (.doc holding a .docx) the name is fine.
        _refuse("mismatch", extension=extension, label=ACCEPTED[claimed][0])
    uploaded_file.seek(0)
    return content_type, size, sha256
