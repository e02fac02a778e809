"""A plain PDF of text lines (Helvetica, US Letter), with no dependency.

The filled form is a few dozen labelled lines: writing the PDF objects directly (PDF 1.4, uncompressed
content streams, the standard 14 fonts, which every reader has) is shorter than adding a library.
"""

from __future__ import annotations

from dataclasses import dataclass

PAGE_WIDTH, PAGE_HEIGHT = 612, 792  # US Letter, points
MARGIN = 54
WRAP_AT = 92  # characters of 10-point Helvetica that fit the text width, roughly


@dataclass(frozen=True)
class Line:
    text: str
    bold: bool = False
    size: int = 10
    space_before: int = 0


def _escape(text: str) -> bytes:
    # WinAnsiEncoding is cp1252; a character outside it prints as "?".
    raw = text.encode("cp1252", errors="replace")
    return (
        raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)").replace(b"\r", b"").replace(b"\n", b" ")
    )


def _wrapped(line: Line) -> list[Line]:
    width = WRAP_AT * 10 // line.size
    words, parts, current = line.text.split(), [], ""
    for word in words:
        while len(word) > width:  # a very long word (a lot number, a URL) is cut
            if current:
                parts.append(current)
                current = ""
            parts.append(word[:width])
            word = word[width:]
        if current and len(current) + 1 + len(word) > width:
            parts.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    parts.append(current)
    return [
        Line(text=part, bold=line.bold, size=line.size, space_before=line.space_before if index == 0 else 0)
        for index, part in enumerate(parts)
    ]


def _pages(lines: list[Line]) -> list[bytes]:
    pages: list[bytes] = []
    stream: list[bytes] = []
    y = PAGE_HEIGHT - MARGIN
    for line in (part for whole in lines for part in _wrapped(whole)):
        step = line.size + 4 + line.space_before
        if y - step < MARGIN and stream:
            pages.append(b"\n".join(stream))
            stream, y = [], PAGE_HEIGHT - MARGIN
        y -= step
        font = b"/F2" if line.bold else b"/F1"
        stream.append(b"BT %s %d Tf %d %d Td (%s) Tj ET" % (font, line.size, MARGIN, y, _escape(line.text)))
    pages.append(b"\n".join(stream))
    return pages


def pdf_from_lines(lines: list[Line], *, title: str) -> bytes:
    """One document: the lines in order, wrapped and paged."""
    contents = _pages(lines)
    count = len(contents)
    # Objects: 1 catalog, 2 page tree, 3-4 fonts, 5 info, then a page and its content per page.
    page_ids = [6 + 2 * index for index in range(count)]
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % pid for pid in page_ids), count),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
        b"<< /Title (%s) /Producer (clinic) >>" % _escape(title),
    ]
    for page_id, content in zip(page_ids, contents, strict=True):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> "
            b"/Contents %d 0 R >>" % (PAGE_WIDTH, PAGE_HEIGHT, page_id + 1)
        )
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content))
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 5 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
