"""Evidence uploads: what is not recognised is not accepted.

An allow-list of types, each recognised by its content, and a file is accepted only when its name ends in an
extension of the type its content shows:

- PDF; PNG, JPEG, GIF and WebP images; UTF-8 plain text (not a web page or an SVG image dressed as text);
- Office documents: Word, Excel and PowerPoint 2007+ (OOXML), 97-2003 (OLE compound files) and OpenDocument text,
  spreadsheets and presentations, none holding macros (VBA, Excel 4.0 macro sheets, ActiveX controls, Basic or
  script bindings), embedded OLE objects or macro-enabled documents, or relationships that fetch anything from
  elsewhere when the file is opened (a remote template, frame, OLE object or image; only hyperlinks, which need a
  click, may point outside).

The file is read once, in chunks, for its size and SHA-256, never holding more than a chunk and the first few
kilobytes in memory, and reading at most ``max_bytes + 1`` bytes. Zip-based documents are looked into from the
archive's directory (``infolist``) and small XML parts read in memory, never extracted to disk; OLE files are
read with olefile.

Downloads are served under a safe name whose extension is the stored type's (``download_name``) and with the
stored type, never one a browser would run (``served_content_type``).
"""

import codecs
import hashlib
import re
import struct
import zipfile
from pathlib import PurePath

import filetype
import olefile
from defusedxml import ElementTree as SafeElementTree
from django.core.exceptions import ValidationError

from core.text import human_size, safe_filename
from core.upload_handlers import file_max_bytes

HEAD_BYTES = 8192
CHUNK_BYTES = 64 * 1024

# Zip-bomb limits (read from the zip's central directory, never by extracting).
ZIP_MAX_UNCOMPRESSED = 100 * 1024 * 1024
ZIP_MAX_RATIO = 100
ZIP_MAX_MEMBERS = 10_000
# The package parts read whole (content types and relationships) are small in any real document.
XML_PART_MAX_BYTES = 2 * 1024 * 1024

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

# The allow-list: each accepted content type, a label for messages, and the extensions that fit it (the first is
# the one a download gets when its stored name has none of them).
ACCEPTED = {
    PDF: ("a PDF", ("pdf",)),
    PNG: ("a PNG image", ("png",)),
    JPEG: ("a JPEG image", ("jpg", "jpeg", "jpe", "jfif")),
    GIF: ("a GIF image", ("gif",)),
    WEBP: ("a WebP image", ("webp",)),
    DOC: ("a Word 97-2003 document", ("doc", "dot")),
    XLS: ("an Excel 97-2003 spreadsheet", ("xls", "xlt")),
    PPT: ("a PowerPoint 97-2003 presentation", ("ppt", "pps", "pot")),
    DOCX: ("a Word document", ("docx", "dotx")),
    XLSX: ("an Excel spreadsheet", ("xlsx", "xltx")),
    PPTX: ("a PowerPoint presentation", ("pptx", "ppsx", "potx")),
    ODT: ("an OpenDocument text document", ("odt",)),
    ODS: ("an OpenDocument spreadsheet", ("ods",)),
    ODP: ("an OpenDocument presentation", ("odp",)),
    TEXT: ("a plain text file", ("txt", "text", "csv", "tsv", "md", "log")),
}
KNOWN_EXTENSIONS = {ext: mime for mime, (_label, exts) in ACCEPTED.items() for ext in exts}
# Office's own names for documents that carry macros: refused by name with a message saying what to do instead.
MACRO_EXTENSIONS = {"docm", "dotm", "xlsm", "xltm", "xlam", "xlsb", "pptm", "potm", "ppsm", "ppam", "sldm"}

MESSAGES = {
    "required": "Select a file to upload",
    "empty": "The selected file is empty",
    "too_large": "The selected file must be smaller than {limit}",
    "type": "The selected file must be a PDF, an Office document, an image or plain text",
    "extension": "The selected file must be a PDF, an Office document, an image or plain text – files ending in "
                 ".{extension} are not accepted",
    "no_extension": "The selected file’s name must end in the extension for its type, like .pdf, .docx or .jpg",
    "mismatch": "The selected file’s name ends in .{extension} but the file is not {label}",
    "markup": "The selected file must be a PDF, an Office document, an image or plain text – web pages and SVG "
              "images are not accepted",
    "macros": "The selected file contains macros – save it without macros (as .docx, .xlsx or .pptx) or as a PDF, "
              "then upload it",
    "embedded": "The selected file contains an embedded object or control that cannot be checked – save it as a "
                "PDF, then upload it",
    "external": "The selected file fetches content from elsewhere when it is opened (such as a template on another "
                "computer) – save it without the link, or as a PDF, then upload it",
    "zip_too_big": "The selected file must be smaller than {limit} when uncompressed",
    "zip_bomb": "The selected file is too compressed to check safely – save it again without extra compression "
                "or upload it as a PDF",
    "corrupt": "The selected file is damaged and cannot be opened – save it again and upload the new copy",
}

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURE = b"PK\x03\x04"
# The main stream of each legacy Office type. A compound file with none (an MSI installer, an Outlook message,
# an encrypted OOXML package) is refused.
OLE_STREAMS = {"WordDocument": DOC, "Workbook": XLS, "Book": XLS, "PowerPoint Document": PPT}
# Storages and streams that hold a VBA project, wherever they are in the file (embedded objects included).
OLE_MACRO_PARTS = {"macros", "vba", "_vba_project", "_vba_project_cur"}
# A PowerPoint 97-2003 file keeps its VBA project inside the main stream; a VBAInfoContainer record (header
# 0x000F/0x03FF, length 0x14) holding a VBAInfoAtom (0x0002/0x0400, length 0x0C) says it has one ([MS-PPT] 2.4.10).
PPT_VBA_INFO = bytes.fromhex("0f00ff0314000000020000040c000000")
# Excel 97-2003: a BoundSheet8 record (0x0085) of a macro sheet (Excel 4.0 macros) or a VBA module sheet.
BIFF_BOUNDSHEET, BIFF_EOF = 0x0085, 0x000A
BIFF_MACRO_SHEET_TYPES = {0x01, 0x06}

OOXML_PARTS = [("word/", DOCX), ("xl/", XLSX), ("ppt/", PPTX)]
# Parts of an OOXML package that hold code: VBA projects and their data, Excel 4.0 macro sheets, ActiveX controls.
OOXML_MACRO_NAMES = re.compile(r"(^|/)(vbaproject\.bin|vbadata\.xml)$|(^|/)(macrosheets|intlmacrosheets|activex)/")
OOXML_MACRO_CONTENT_TYPES = re.compile(r"macroenabled|vbaproject|vbadata|macrosheet|activex", re.IGNORECASE)
# Embedded objects that cannot be checked here: OLE objects (packaged files, old documents) and macro documents.
OOXML_EMBEDDED = re.compile(r"(^|/)embeddings/.*\.(bin|" + "|".join(sorted(MACRO_EXTENSIONS)) + r")$")
# A relationship that leaves the package is refused unless it is a hyperlink (opened only when clicked).
REL_HYPERLINK = "/hyperlink"
ABSOLUTE_TARGET = re.compile(r"^([a-z][a-z0-9+.-]*:|\\\\|//)", re.IGNORECASE)

ODF_TYPES = {ODT, ODS, ODP}
# OpenDocument macros live in Basic/ and Scripts/; content and styles can bind events to scripts.
ODF_MACRO_FOLDERS = ("Basic/", "Scripts/")
ODF_SCRIPTED_PARTS = ("content.xml", "styles.xml")
# (An event bound to a script, a script URL, a Basic macro URL as an attribute value.)
ODF_SCRIPT_MARKERS = (b"script:event-listener", b"vnd.sun.star.script:", b'"macro://', b"'macro://")
FILETYPE_ACCEPTED = {PDF, PNG, JPEG, GIF, WEBP}

# Control characters a text file should not contain (tab, line feed, form feed and carriage return are fine).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
MAX_CONTROL_PER_100_CHARS = 1
# How a browser that sniffs would recognise a web page, SVG or XML at the start of a text file (the WHATWG
# MIME Sniffing standard's HTML and XML patterns, and SVG).
_MARKUP_START = re.compile(
    rb"<(!doctype\s+html|html|head|script|iframe|h1|div|font|table|a|style|title|b|body|br|p|svg|xml|\?xml"
    rb"|!--|hta:|object|embed|img|meta|link|form|math)(\s|>|/|$)",
    re.IGNORECASE,
)
_WHITESPACE_AND_BOM = b" \t\r\n\x0c\xef\xbb\xbf"


def max_upload_bytes():
    """The largest evidence file accepted (settings.EVIDENCE_MAX_BYTES, 20 MB by default)."""
    return file_max_bytes()


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
    """One streaming pass: size, SHA-256, the first HEAD_BYTES and whether it is UTF-8 text."""
    digest = hashlib.sha256()
    head = bytearray()
    size = 0
    text = _TextCheck()
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
    text.feed(b"", final=True)
    uploaded_file.seek(0)
    return size, digest.hexdigest(), bytes(head), text.is_text


# Zip-based documents ----------------------------------------------------------------------------------------------

def _xml_part(archive, info):
    """A small package part parsed without DTDs or entities (defusedxml); a damaged or huge one is refused."""
    if info.file_size > XML_PART_MAX_BYTES:
        _refuse("corrupt")
    try:
        return SafeElementTree.fromstring(archive.read(info))
    except Exception:  # noqa: BLE001 - any parse failure of hostile bytes means the part cannot be checked
        _refuse("corrupt")


def _local_name(tag):
    return tag.rsplit("}", 1)[-1]


def _check_ooxml(archive, members):
    """Refuse an OOXML package with macros, controls, embedded objects or relationships that fetch from elsewhere."""
    for info in members:
        name = info.filename.lower()
        if OOXML_MACRO_NAMES.search(name):
            _refuse("macros")
        if OOXML_EMBEDDED.search(name):
            _refuse("embedded")
    content_types = _xml_part(archive, archive.getinfo("[Content_Types].xml"))
    for element in content_types.iter():
        if OOXML_MACRO_CONTENT_TYPES.search(element.get("ContentType", "")):
            _refuse("macros")
    for info in members:
        if not info.filename.lower().endswith(".rels"):
            continue
        for element in _xml_part(archive, info).iter():
            if _local_name(element.tag) != "Relationship":
                continue
            external = (element.get("TargetMode", "").strip().lower() == "external"
                        or ABSOLUTE_TARGET.match(element.get("Target", "").strip()))
            if external and not element.get("Type", "").rstrip("/").endswith(REL_HYPERLINK):
                _refuse("external")


def _streamed_contains(archive, info, markers):
    """Whether a part contains one of the markers, read in chunks (its size is already bounded by the zip checks)."""
    overlap = max(len(m) for m in markers) - 1
    tail = b""
    with archive.open(info) as part:
        while chunk := part.read(CHUNK_BYTES):
            window = tail + chunk
            if any(marker in window for marker in markers):
                return True
            tail = window[-overlap:]
    return False


def _check_odf(archive, members):
    for info in members:
        if info.filename.startswith(ODF_MACRO_FOLDERS):
            _refuse("macros")
        if info.filename in ODF_SCRIPTED_PARTS and _streamed_contains(archive, info, ODF_SCRIPT_MARKERS):
            _refuse("macros")


def _zip_type(uploaded_file):
    """The Office type of a zip-based document, after checking it is not a zip bomb and holds no macros or remote
    references; None if it is not an accepted Office document."""
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
                mime = next((mime for prefix, mime in OOXML_PARTS if any(n.startswith(prefix) for n in names)), None)
                if mime is not None:
                    _check_ooxml(archive, members)
                return mime
            if "mimetype" in names:
                info = archive.getinfo("mimetype")
                if info.file_size > 100:
                    return None
                declared = archive.read(info).decode("ascii", "replace").strip()
                if declared not in ODF_TYPES:
                    return None
                _check_odf(archive, members)
                return declared
            return None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, NotImplementedError, ValueError,
            RuntimeError, struct.error, UnicodeDecodeError):
        # RuntimeError: an encrypted member; ValueError/struct.error: a malformed directory.
        _refuse("corrupt")
    finally:
        uploaded_file.seek(0)


# Legacy Office (OLE compound files) -------------------------------------------------------------------------------

def _excel_macro_sheets(workbook):
    """Whether an Excel 97-2003 workbook stream declares a macro or VBA module sheet (BIFF8 globals substream)."""
    position = 0
    while position + 4 <= len(workbook):
        record, length = struct.unpack_from("<HH", workbook, position)
        data = workbook[position + 4: position + 4 + length]
        if record == BIFF_BOUNDSHEET and len(data) >= 6 and data[5] in BIFF_MACRO_SHEET_TYPES:
            return True
        if record == BIFF_EOF:
            return False
        position += 4 + length
    return False


def _ole_type(uploaded_file):
    """The legacy Office type of an OLE compound file, after checking it holds no VBA project or Excel 4.0 macro
    sheet; None if it is no Office document."""
    try:
        ole = olefile.OleFileIO(uploaded_file)
    except Exception:  # noqa: BLE001 - olefile raises many kinds of error on hostile bytes: all mean "cannot check"
        uploaded_file.seek(0)
        _refuse("corrupt")
    try:
        entries = ole.listdir(streams=True, storages=True)
        if any(part.lower() in OLE_MACRO_PARTS for entry in entries for part in entry):
            _refuse("macros")
        roots = {entry[0] for entry in entries if len(entry) == 1}
        mime = next((mime for stream, mime in OLE_STREAMS.items() if stream in roots), None)
        if mime == XLS:
            stream = "Workbook" if "Workbook" in roots else "Book"
            if _excel_macro_sheets(ole.openstream(stream).read()):
                _refuse("macros")
        elif mime == PPT and PPT_VBA_INFO in ole.openstream("PowerPoint Document").read():
            _refuse("macros")
        return mime
    except ValidationError:
        raise
    except Exception:  # noqa: BLE001 - as above: a directory or stream olefile cannot read
        _refuse("corrupt")
    finally:
        ole.close()
        uploaded_file.seek(0)


def _detect(uploaded_file, head, is_text):
    """The accepted content type of the file, or None."""
    if head.startswith(ZIP_SIGNATURE):
        return _zip_type(uploaded_file)
    if head.startswith(OLE_SIGNATURE):
        return _ole_type(uploaded_file)
    kind = filetype.guess(head)
    if kind is not None:
        # A binary signature: only the few accepted ones pass (an MZ executable, an archive, ... do not).
        return kind.mime if kind.mime in FILETYPE_ACCEPTED else None
    if not is_text:
        return None
    if _MARKUP_START.match(head.lstrip(_WHITESPACE_AND_BOM)):
        _refuse("markup")
    return TEXT


def _extension(name):
    """The extension of the name as it would be saved (trailing dots and spaces, as Windows drops them, ignored)."""
    return PurePath(safe_filename(name or "", default="")).suffix.lower().lstrip(".")


def validate_evidence_file(uploaded_file, *, max_bytes=None):
    """Check an uploaded evidence file and return ``(content_type, size, sha256)``.

    Raises ValidationError (messages in the NHS design system style) for a missing, empty or oversize file, a name
    without an extension of the allow-list, content that is none of the accepted types or not the type its name
    says, Office files with macros, embedded objects or remote references, a damaged file or a zip bomb. The file
    is left positioned at its start.
    """
    if uploaded_file is None:
        _refuse("required")
    if max_bytes is None:
        max_bytes = max_upload_bytes()
    declared_size = getattr(uploaded_file, "size", None)
    if declared_size == 0:
        _refuse("empty")
    if declared_size is not None and declared_size > max_bytes:
        _refuse("too_large", limit=human_size(max_bytes))

    extension = _extension(getattr(uploaded_file, "name", ""))
    if extension in MACRO_EXTENSIONS:
        _refuse("macros")
    if not extension:
        _refuse("no_extension")
    if extension not in KNOWN_EXTENSIONS:
        _refuse("extension", extension=extension)

    size, sha256, head, is_text = _read(uploaded_file, max_bytes)
    if size == 0:
        _refuse("empty")
    content_type = _detect(uploaded_file, head, is_text)
    if content_type not in ACCEPTED:
        _refuse("type")
    if extension not in ACCEPTED[content_type][1]:
        # e.g. "report.pdf" that is really text, or "policy.doc" that is a .docx
        _refuse("mismatch", extension=extension, label=ACCEPTED[KNOWN_EXTENSIONS[extension]][0])
    uploaded_file.seek(0)
    return content_type, size, sha256


# Downloads --------------------------------------------------------------------------------------------------------

_EXTENSION_LIKE = re.compile(r"^[A-Za-z0-9]{1,8}$")


def served_content_type(content_type):
    """The type a stored evidence file is served as: its stored type if the allow-list has it, otherwise a download
    no browser displays. Never text/html or image/svg+xml."""
    if content_type == TEXT:
        return "text/plain; charset=utf-8"  # checked as UTF-8 on the way in
    return content_type if content_type in ACCEPTED else "application/octet-stream"


def download_name(original_name, content_type):
    """A safe name to download a stored evidence file under: one plain segment (core.text.safe_filename), no
    quotes, and an extension of its stored type (older uploads named otherwise get it in place of theirs)."""
    name = safe_filename(original_name or "", default="evidence").replace("'", "_").replace("`", "_")
    extensions = ACCEPTED.get(content_type, (None, ("bin",)))[1]
    stem, dot, extension = name.rpartition(".")
    if dot and stem and extension.lower() in extensions:
        return name
    if dot and stem and _EXTENSION_LIKE.match(extension):
        name = stem
    return safe_filename(f"{name}.{extensions[0]}", default=f"evidence.{extensions[0]}")
