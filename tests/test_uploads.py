"""Evidence uploads are checked by content, not by name: type, size, zip bombs and damaged files.

Every file here is built for real in the test (no mocks).
"""

import hashlib
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from PIL import Image

from forwardplans.uploads import validate_evidence_file

TINY_PDF = (
    b"%PDF-1.4\n"
    b"1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
    b"2 0 obj <</Type /Pages /Kids [3 0 R] /Count 1>> endobj\n"
    b"3 0 obj <</Type /Page /Parent 2 0 R /MediaBox [0 0 200 200]>> endobj\n"
    b"xref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000056 00000 n \n0000000111 00000 n \n"
    b"trailer <</Size 4 /Root 1 0 R>>\nstartxref\n178\n%%EOF\n"
)
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
TYPE_MESSAGE = "The selected file must be a PDF, an Office document, an image or plain text"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
DOCUMENT_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>Significant event analysis</w:t></w:r></w:p></w:body></w:document>"
)


def upload(name, content):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def refused(uploaded, **kwargs):
    with pytest.raises(ValidationError) as caught:
        validate_evidence_file(uploaded, **kwargs)
    return caught.value


def image(fmt):
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (0, 94, 184)).save(buffer, format=fmt)
    return buffer.getvalue()


def ooxml(main_part="word/document.xml", body=DOCUMENT_XML):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr(main_part, body)
    return buffer.getvalue()


def odf(mimetype="application/vnd.oasis.opendocument.text"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", "<office:document-content/>", compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", "<manifest:manifest/>", compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def ole(stream_name=None):
    """An OLE compound file: the header sector, then a directory sector naming the root and one stream."""
    header = OLE_SIGNATURE + bytes(16) + b"\x3e\x00\x03\x00\xfe\xff\x09\x00"
    header = header.ljust(512, b"\x00")

    def entry(name, kind):
        encoded = (name.encode("utf-16-le") + b"\x00\x00").ljust(64, b"\x00")
        return (encoded + len(name.encode("utf-16-le") + b"\x00\x00").to_bytes(2, "little") + bytes([kind])).ljust(
            128, b"\x00")

    directory = entry("Root Entry", 5)
    if stream_name:
        directory += entry(stream_name, 2)
    return header + directory.ljust(512, b"\x00") + bytes(1024)


# Accepted ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "content", "expected"), [
    ("minutes.pdf", TINY_PDF, "application/pdf"),
    ("rota.png", image("PNG"), "image/png"),
    ("photo.jpg", image("JPEG"), "image/jpeg"),
    ("chart.gif", image("GIF"), "image/gif"),
    ("poster.webp", image("WEBP"), "image/webp"),
    ("policy.docx", ooxml(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("audit.xlsx", ooxml("xl/workbook.xml", "<workbook/>"),
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("slides.pptx", ooxml("ppt/presentation.xml", "<presentation/>"),
     "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    ("minutes.odt", odf(), "application/vnd.oasis.opendocument.text"),
    ("budget.ods", odf("application/vnd.oasis.opendocument.spreadsheet"),
     "application/vnd.oasis.opendocument.spreadsheet"),
    ("old-policy.doc", ole("WordDocument"), "application/msword"),
    ("old-audit.xls", ole("Workbook"), "application/vnd.ms-excel"),
    ("old-slides.ppt", ole("PowerPoint Document"), "application/vnd.ms-powerpoint"),
    ("notes.txt", "Meeting held 3 March – all partners present. Café £5\n".encode(), "text/plain"),
    ("notes.txt", b"\xef\xbb\xbfText with a byte order mark\r\n\tand a tab\n", "text/plain"),
    ("register.csv", b"date,attendees\n2026-03-03,12\n", "text/plain"),
])
def test_accepted_types_detected_by_content(name, content, expected):
    uploaded = upload(name, content)
    content_type, size, sha256 = validate_evidence_file(uploaded)
    assert content_type == expected
    assert size == len(content)
    assert sha256 == hashlib.sha256(content).hexdigest()
    assert uploaded.tell() == 0, "the file is left ready to be saved"


def test_type_comes_from_content_not_the_name():
    # No extension, or a misleading upper-case one in the same family, still works by content.
    assert validate_evidence_file(upload("scan", TINY_PDF))[0] == "application/pdf"
    assert validate_evidence_file(upload("POLICY.DOC", ooxml()))[0] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    assert validate_evidence_file(upload("evidence.bin", b"plain words\n"))[0] == "text/plain"


# Refused ----------------------------------------------------------------------------------------

def test_empty_file_is_refused():
    error = refused(upload("empty.pdf", b""))
    assert error.messages == ["The selected file is empty"]
    assert error.code == "empty"


def test_missing_file_is_refused():
    assert refused(None).messages == ["Select a file to upload"]


def test_oversize_file_is_refused_with_the_limit_in_the_message():
    error = refused(upload("big.txt", b"a" * 2049), max_bytes=2048)
    assert error.messages == ["The selected file must be smaller than 2 KB"]
    assert error.code == "too_large"
    # Exactly at the limit is fine.
    assert validate_evidence_file(upload("ok.txt", b"a" * 2048), max_bytes=2048)[1] == 2048


def test_default_limit_is_20_mb_and_comes_from_settings(settings):
    if hasattr(settings, "EVIDENCE_MAX_BYTES"):
        del settings.EVIDENCE_MAX_BYTES
    error = refused(upload("huge.txt", b"a" * (20 * 1024 * 1024 + 1)))
    assert error.messages == ["The selected file must be smaller than 20 MB"]
    settings.EVIDENCE_MAX_BYTES = 1024 * 1024
    assert refused(upload("big.txt", b"a" * (1024 * 1024 + 1))).messages == [
        "The selected file must be smaller than 1 MB"]


class CountingBytesIO(io.BytesIO):
    """A real in-memory file that remembers how many bytes were read from it."""

    bytes_read = 0

    def read(self, size=-1):
        data = super().read(size)
        self.bytes_read += len(data)
        return data


def test_size_is_measured_by_streaming_no_more_than_the_limit_plus_one():
    # A file whose size is not declared in advance (as from some upload handlers).
    stream = CountingBytesIO(b"a" * 500_000)
    uploaded = UploadedFile(file=stream, name="stream.txt", size=None)
    error = refused(uploaded, max_bytes=100_000)
    assert error.code == "too_large"
    assert stream.bytes_read <= 100_001


def test_pdf_name_with_other_content_is_refused():
    error = refused(upload("report.pdf", b"This is just text pretending to be a PDF.\n"))
    assert error.messages == ["The selected file’s name ends in .pdf but the file is not a PDF"]
    assert refused(upload("photo.png", image("JPEG"))).code == "mismatch"


def test_executable_named_txt_is_refused():
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(48) + b"PE\x00\x00" + bytes(400)
    error = refused(upload("readme.txt", exe))
    assert error.messages == [TYPE_MESSAGE]
    assert error.code == "type"


@pytest.mark.parametrize("content", [
    b"text with a NUL \x00 byte in it",
    "Latin-1 caf\xe9 is not UTF-8".encode("latin-1"),
    b"\x01\x02\x03\x04\x05\x06\x07\x08 mostly control characters",
    "UTF-16 text from Notepad".encode("utf-16"),
])
def test_binary_or_non_utf8_text_is_refused(content):
    assert refused(upload("notes.txt", content)).messages == [TYPE_MESSAGE]


@pytest.mark.parametrize("content", [
    ole(),                              # an OLE file with no Office stream (e.g. an MSI installer)
    ole("__substg1.0_0037001F"),        # an Outlook message
    b"\x1f\x8b\x08\x00" + bytes(64),    # gzip
    b"\x7fELF\x02\x01\x01" + bytes(64),  # Linux executable
])
def test_other_binary_types_are_refused(content):
    assert refused(upload("document.doc", content)).messages == [TYPE_MESSAGE]


def test_plain_zip_and_unknown_odf_are_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.exe", b"MZ" + bytes(100))
    assert refused(upload("evidence.zip", buffer.getvalue())).code == "type"
    assert refused(upload("drawing.odg", odf("application/vnd.oasis.opendocument.graphics"))).code == "type"


def test_zip_bomb_is_refused_without_extracting():
    """200 MB of zeros deflate to about 200 KB: the declared size gives it away."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            zeros = bytes(1024 * 1024)
            for _ in range(200):
                member.write(zeros)
    content = buffer.getvalue()
    assert len(content) < 1024 * 1024
    error = refused(upload("bomb.docx", content))
    assert error.messages == ["The selected file must be smaller than 100 MB when uncompressed"]
    assert error.code == "zip_too_big"


def test_highly_compressed_zip_is_refused():
    """Under 100 MB uncompressed, but compressed more than 100:1."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        with archive.open("word/document.xml", "w") as member:
            for _ in range(10):
                member.write(bytes(1024 * 1024))
    assert refused(upload("dense.docx", buffer.getvalue())).code == "zip_bomb"


def test_zip_with_too_many_members_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("word/document.xml", DOCUMENT_XML)
        for n in range(10_000):
            archive.writestr(f"word/media/{n}.xml", b"")
    assert refused(upload("many.docx", buffer.getvalue())).code == "zip_bomb"


def test_corrupt_zip_is_refused():
    good = ooxml()
    truncated = good[: len(good) // 2]  # the central directory is gone
    error = refused(upload("damaged.docx", truncated))
    assert error.messages == [
        "The selected file is damaged and cannot be opened – save it again and upload the new copy"]
    garbage_directory = good[:-22] + b"PK\x05\x06" + b"\xff" * 18
    assert refused(upload("damaged.docx", garbage_directory)).code == "corrupt"
