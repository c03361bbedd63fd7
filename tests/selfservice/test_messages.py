"""Every refusal of a check and every word the check pages add reads in Chinese.

``DiagnosisInputError`` is not one of the core error classes, so tests/web/test_error_messages.py
does not see its messages: this test finds each one in chain/diagnosis.py (the calls and the
hash messages), fills its values and asks ``translate_message`` for it."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import ledgerdesk
from ledgerdesk.chain import diagnosis, presenters
from ledgerdesk.core import i18n
from ledgerdesk.web.messages import translate_message
from tests.web.test_error_messages import _sample

SOURCE = Path(ledgerdesk.__file__).parent / "chain" / "diagnosis.py"


def input_error_messages() -> Iterator[tuple[str, str]]:
    tree = ast.parse(SOURCE.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if name == "DiagnosisInputError" and len(node.args) >= 2:
            text = _sample(node.args[1])
            if text:
                yield f"diagnosis.py:{node.lineno}", text


def test_every_check_refusal_reads_in_chinese() -> None:
    found = list(input_error_messages())
    found += [(f"_HASH_MESSAGES[{k}]", v) for k, v in diagnosis._HASH_MESSAGES.items()]
    assert len(found) >= 11  # the walk finds the calls, and the hash messages are there
    assert any("'7' is not a network" in text for _, text in found)
    i18n.set_locale("zh-CN")
    try:
        missing = [f"{where}: {text}" for where, text in found if translate_message(text) == text]
        unknown = translate_message("'dogechain' is not a network we support")
    finally:
        i18n.set_locale("en")
    assert not missing, "add zh-CN msgids (with %(name)s placeholders):\n" + "\n".join(missing)
    assert "dogechain" in unknown and "不支持" in unknown


def test_every_fact_label_and_value_reads_in_chinese() -> None:
    words = [*presenters.FACT_LABELS.values(), *presenters.FACT_VALUES.values()]
    i18n.set_locale("zh-CN")
    try:
        missing = [w for w in words if i18n.gettext(w) == w]
    finally:
        i18n.set_locale("en")
    assert not missing, missing
