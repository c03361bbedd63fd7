"""The demo content files under ``data/demo/content/``: how they are read and checked."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from ledgerdesk.core.intents import INTENTS
from ledgerdesk.core.paths import shipped_data_dir
from ledgerdesk.demo.content import (
    LANGUAGES,
    DemoContentError,
    demo_content,
    demo_text,
    load_content,
)

SHIPPED = shipped_data_dir() / "demo" / "content"


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    """A copy of the shipped content that a test may break."""
    root = tmp_path / "content"
    shutil.copytree(SHIPPED, root)
    return root


def edit(path: Path, change: Callable[[Any], None]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def error_of(root: Path) -> str:
    with pytest.raises(DemoContentError) as caught:
        load_content(root)
    return str(caught.value)


def test_shipped_content_loads_once_and_covers_every_intent_in_both_languages() -> None:
    assert demo_content() is demo_content()
    assert demo_text() is demo_content().text
    for language in LANGUAGES:
        assert set(demo_text()[language].intents) == set(INTENTS)
    names = demo_content().chinese_names
    assert names.surnames[0] == ("王", "wang") and isinstance(names.surnames, tuple)
    assert "Tomás" in demo_content().english_names.first_names


def test_a_copy_of_the_shipped_files_loads_to_the_same_content(content_dir: Path) -> None:
    assert load_content(content_dir) == demo_content()


def test_multi_line_text_keeps_its_line_breaks() -> None:
    escalation = demo_text()["en"].escalations[0]
    assert escalation.endswith("as soon as I hear back.\n\n{agent}")


def test_invalid_yaml_names_the_file(content_dir: Path) -> None:
    path = content_dir / "en" / "funds.yaml"
    path.write_text("deposit_missing:\n  - subjects: [unclosed\n", encoding="utf-8")
    message = error_of(content_dir)
    assert str(path) in message and "not valid YAML" in message


def test_a_missing_file_is_named(content_dir: Path) -> None:
    (content_dir / "zh" / "common.yaml").unlink()
    message = error_of(content_dir)
    assert str(content_dir / "zh" / "common.yaml") in message and "cannot be read" in message


def test_a_missing_part_names_the_file_and_the_scenario(content_dir: Path) -> None:
    path = content_dir / "en" / "account.yaml"
    edit(path, lambda data: data["account_locked"][1].pop("notes"))
    assert error_of(content_dir) == f"{path}: account_locked[1]: missing notes"


def test_a_line_that_is_not_text_is_named(content_dir: Path) -> None:
    path = content_dir / "zh" / "funds.yaml"
    edit(path, lambda data: data["deposit_missing"][0]["subjects"].append(42))
    message = error_of(content_dir)
    assert message.startswith(
        f"{path}: deposit_missing[0].subjects[3]: expected a non-empty string"
    )


def test_an_empty_part_is_refused(content_dir: Path) -> None:
    path = content_dir / "en" / "service.yaml"
    intent = next(iter(yaml.safe_load(path.read_text(encoding="utf-8"))))
    edit(path, lambda data: data[intent][0].update(replies=[]))
    assert f"{path}: {intent}[0].replies: expected a non-empty list" in error_of(content_dir)


def test_an_unknown_placeholder_is_named(content_dir: Path) -> None:
    path = content_dir / "en" / "common.yaml"
    edit(path, lambda data: data["chasers"].append("Hello {customer_name}?"))
    message = error_of(content_dir)
    assert message == f"{path}: chasers[5]: unknown placeholder customer_name"


def test_a_broken_template_is_named(content_dir: Path) -> None:
    path = content_dir / "en" / "common.yaml"
    edit(path, lambda data: data["nudges"].insert(0, "Hi {name, see above"))
    assert error_of(content_dir).startswith(f"{path}: nudges[0]: is not a valid template")


def test_unknown_keys_and_intents_are_refused(content_dir: Path) -> None:
    path = content_dir / "en" / "account.yaml"
    edit(path, lambda data: data["account_locked"][0].update(subject=["typo"]))
    assert "account_locked[0]: unknown key subject" in error_of(content_dir)
    shutil.copy(SHIPPED / "en" / "account.yaml", path)
    edit(path, lambda data: data.update(account_stolen=data["account_locked"]))
    assert f"{path}: account_stolen: unknown intent" in error_of(content_dir)


def test_an_intent_given_twice_or_missing_is_refused(content_dir: Path) -> None:
    funds, account = content_dir / "zh" / "funds.yaml", content_dir / "zh" / "account.yaml"
    moved = yaml.safe_load(funds.read_text(encoding="utf-8"))["deposit_missing"]
    edit(account, lambda data: data.update(deposit_missing=moved))
    assert error_of(content_dir) == f"{account}: deposit_missing: already given in {funds}"
    edit(funds, lambda data: data.pop("deposit_missing"))
    edit(account, lambda data: data.pop("deposit_missing"))
    message = error_of(content_dir)
    assert message == f"{content_dir / 'zh'}: no scenarios for the intents deposit_missing"


def test_a_key_written_twice_in_one_file_is_refused(content_dir: Path) -> None:
    path = content_dir / "en" / "common.yaml"
    path.write_text(
        path.read_text(encoding="utf-8") + "chasers:\n  - Any news?\n", encoding="utf-8"
    )
    message = error_of(content_dir)
    assert str(path) in message and "found the key 'chasers' twice" in message


def test_names_must_be_pairs(content_dir: Path) -> None:
    path = content_dir / "zh" / "names.yaml"
    edit(path, lambda data: data["surnames"].insert(2, ["张"]))
    message = error_of(content_dir)
    assert message.startswith(f"{path}: surnames[2]: expected [name, romanisation]")
    edit(path, lambda data: data["surnames"].pop(2))
    edit(path, lambda data: data.pop("given_names"))
    assert error_of(content_dir) == f"{path}: missing given_names"


def test_a_file_that_is_not_a_mapping_is_refused(content_dir: Path) -> None:
    path = content_dir / "en" / "names.yaml"
    path.write_text("- James\n- Olivia\n", encoding="utf-8")
    message = error_of(content_dir)
    assert message.startswith(f"{path}: expected a non-empty mapping")
