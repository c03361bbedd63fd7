"""PDF documents carry both languages' text (the CJK font is subset into the file)."""

from __future__ import annotations

import re
import zlib

from ledgerdesk.cases.pdf import Section, render


def test_a_pdf_holds_chinese_and_english_and_a_table() -> None:
    data = render(
        "投诉登记 Complaint register",
        [Section("概要 Summary", ["收到 3 件 received"], [["Ref", "状态"], ["CMP-1", "已结案"]])],
        footer="ledgerdesk",
    )
    assert data.startswith(b"%PDF-1.") and data.rstrip().endswith(b"%%EOF")
    assert b"/FontFile2" in data or b"/FontFile3" in data  # the font is embedded
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S)
    text = b"".join(zlib.decompress(s) for s in streams if s[:1] == b"x")
    assert b"Tj" in text or b"TJ" in text  # text was drawn
