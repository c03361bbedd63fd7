"""Plain PDF documents (register exports, case summaries) in English and Chinese.

fpdf2 writes the file; the CJK glyphs come from Noto Sans CJK (Debian's ``fonts-noto-cjk``)
or from the font file ``LEDGERDESK_PDF_FONT`` names, subset into each document. Without a
font that has CJK glyphs, a document with Chinese text cannot be made: the error says which
package to install, rather than printing empty boxes.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

_CANDIDATES = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),  # 2 = the SC face
    ("/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf", 0),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),
)


class PdfFontMissing(RuntimeError):
    pass


@dataclass(frozen=True)
class Section:
    heading: str
    lines: Sequence[str] = ()
    table: Sequence[Sequence[str]] = ()  # first row = column titles
    widths: Sequence[float] = field(default_factory=tuple)  # relative column widths


def _font() -> tuple[str, int]:
    configured = os.environ.get("LEDGERDESK_PDF_FONT", "").strip()
    if configured:
        if not Path(configured).is_file():
            raise PdfFontMissing(f"LEDGERDESK_PDF_FONT names no file: {configured}")
        return configured, 0
    for path, number in _CANDIDATES:
        if Path(path).is_file():
            return path, number
    raise PdfFontMissing(
        "no font with Chinese glyphs: install Debian's fonts-noto-cjk or set LEDGERDESK_PDF_FONT"
    )


def render(title: str, sections: Sequence[Section], *, footer: str = "") -> bytes:
    """A portrait A4 document: the title, then each section's lines and table."""
    from fpdf import FPDF, FontFace  # a third of a second to import; only exports need it

    path, number = _font()
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_font("body", fname=path, collection_font_number=number)
    pdf.set_title(title)
    pdf.set_creator("ledgerdesk")
    pdf.add_page()
    pdf.set_font("body", size=15)
    pdf.multi_cell(0, 9, title, new_x="LMARGIN", new_y="NEXT")
    for section in sections:
        pdf.ln(3)
        pdf.set_font("body", size=12)
        pdf.multi_cell(0, 7, section.heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("body", size=9)
        for line in section.lines:
            pdf.multi_cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
        if section.table:
            widths = tuple(section.widths) or (1.0,) * len(section.table[0])
            with pdf.table(
                col_widths=widths,
                text_align="LEFT",
                line_height=5,
                headings_style=FontFace(emphasis="", fill_color=(230, 230, 230)),
            ) as table:
                for row in section.table:
                    cells = table.row()
                    for value in row:
                        cells.cell(str(value))
    if footer:
        pdf.ln(4)
        pdf.set_font("body", size=8)
        pdf.multi_cell(0, 4, footer, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
