"""`python -m documents.sample`: make the sample's PDF and DOCX from their authored text
(`data/documents/shandong/sources/`), so the PDF and DOCX importers have real files to read.

The PDF uses reportlab's built-in Chinese CID font (STSong-Light: no font file needed);
title and author go into the files' properties, as government sites' files carry them.
"""

from __future__ import annotations

import sys
from pathlib import Path

from settings import ROOT

SAMPLE = ROOT / "data" / "documents" / "shandong"


def _lines(source: Path) -> list[str]:
    return [line.strip() for line in source.read_text(encoding="utf-8").splitlines() if line.strip()]


def make_pdf(source: Path, target: Path, author: str) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    lines = _lines(source)
    pdf = canvas.Canvas(str(target), pagesize=A4, invariant=1)  # invariant: same bytes every time
    pdf.setTitle(lines[0])
    pdf.setAuthor(author)
    width, height = A4
    per_line, y = 36, height - 60
    for line in lines:
        for start in range(0, len(line), per_line):  # wrap: a PDF line is drawn, not flowed
            if y < 60:
                pdf.showPage()
                y = height - 60
            pdf.setFont("STSong-Light", 16 if line == lines[0] else 12)
            pdf.drawString(50, y, line[start : start + per_line])
            y -= 22
    pdf.save()


def make_docx(source: Path, target: Path, author: str) -> None:
    import docx

    lines = _lines(source)
    document = docx.Document()
    document.core_properties.title = lines[0]
    document.core_properties.author = author
    document.add_heading(lines[0], level=1)
    for line in lines[1:]:
        document.add_paragraph(line)
    document.save(str(target))


def main() -> int:
    make_pdf(SAMPLE / "sources" / "jinan-gjj-tiqu-2026.txt", SAMPLE / "jinan-gjj-tiqu-2026.pdf", "济南住房公积金中心")
    make_docx(SAMPLE / "sources" / "ybj-yidi-jiedu-2026.txt", SAMPLE / "ybj-yidi-jiedu-2026.docx", "山东省医疗保障局")
    print(f"wrote the sample PDF and DOCX into {SAMPLE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
