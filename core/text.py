"""User text made safe for where it goes: a header line, a file name, a document, a spreadsheet.

People paste from Word and e-mail: soft line breaks (vertical tab), form feeds, NULs, Unicode line separators.
Each destination has its own rules, and text that breaks them raises deep inside a mail library, python-docx or
a spreadsheet writer, so it is normalised at the door of each destination instead.
"""

import re
import unicodedata
from urllib.parse import quote

# Characters XML 1.0 forbids (python-docx, openpyxl and WeasyPrint refuse them): C0 controls other than tab,
# line feed and carriage return, the surrogates and U+FFFE/U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Word's soft line break (vertical tab), form feed and the Unicode line and paragraph separators end a line.
_LINE_ENDS = re.compile("\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
# Anything that is not a visible character or a plain space, for a one-line destination.
_NOT_ONE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\s]+")
_UNSAFE_IN_NAME = re.compile(r'[\x00-\x1f\x7f-\x9f"*/:<>?\\|;%]+')


def document_text(value):
    """Text for a Word, PDF or spreadsheet cell: line breaks kept as ``\\n``, every other control removed."""
    return _NOT_XML.sub("", _LINE_ENDS.sub("\n", value or ""))


def document_data(value):
    """``document_text`` applied to every string in a JSON-like structure (a PDF's snapshot)."""
    if isinstance(value, str):
        return document_text(value)
    if isinstance(value, dict):
        return {key: document_data(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [document_data(item) for item in value]
    return value


def one_line(value, limit=None):
    """Text for a header, a subject or a calendar summary: one line, runs of spaces and controls as one space."""
    text = _NOT_ONE_LINE.sub(" ", value or "").strip()
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def safe_filename(value, *, default="download", limit=120):
    """A file name that is one plain segment: no path, no controls, no quotes or characters Windows refuses, not
    hidden (no leading dot). Keeps the last extension."""
    name = unicodedata.normalize("NFC", one_line(value or "")).replace("..", ".")
    name = _UNSAFE_IN_NAME.sub("_", name).strip(" ._")
    if not name:
        return default
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem:
        return name[:limit]
    extension = extension[:16]
    return f"{stem[: max(1, limit - len(extension) - 1)].rstrip(' ._') or default}.{extension}"


# Outside a quoted string only these stand for themselves in an RFC 8187 value (attr-char).
_RFC8187_SAFE = "!#$&+-.^_`|~"
# In the ASCII fallback: printable ASCII other than quotes, backslash and the characters safe_filename removes.
_NOT_IN_ASCII_NAME = re.compile(r"[^A-Za-z0-9 !#$&()+,\-.=@\[\]^_{}~]+")


def _ascii_part(value):
    value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    return _NOT_IN_ASCII_NAME.sub("_", value).strip(" ._")


def attachment_disposition(filename):
    """A Content-Disposition header for a download (RFC 6266): ``attachment``, an ASCII ``filename`` for old
    clients and ``filename*`` with the whole name in UTF-8 (RFC 8187). The name is made safe first (safe_filename)
    and loses its quotes."""
    name = safe_filename(filename).replace("'", "_").replace("`", "_")
    stem, dot, extension = name.rpartition(".")
    if dot and stem:
        ascii_stem, ascii_extension = _ascii_part(stem) or "download", _ascii_part(extension)
        ascii_name = f"{ascii_stem}.{ascii_extension}" if ascii_extension else ascii_stem
    else:
        # A name all in another script keeps at least a plain stem.
        ascii_name = _ascii_part(name) or "download"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe=_RFC8187_SAFE)}"


def human_size(size):
    """A size for people: 20971520 -> '20 MB'; 1536 -> '1.5 KB'."""
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= factor:
            value = size / factor
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{size} bytes"
