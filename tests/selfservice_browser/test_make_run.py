"""What `make run` promises a newcomer, in a real browser: ``ledgerdesk serve`` with the demo
services starts the local chains and the demo exchange and prints demo transaction hashes;
pasted into the help center's deposit check they give their verdicts in Chinese and in
English, and the demo customer, signed in to the portal, gets a request opened for a deposit
that is confirmed on chain but not credited.

The desk runs as a subprocess, exactly as `make run` starts it (a fresh SQLite desk, the
devnet node ports 8545 and 8547 of data/chain/devnet.yaml, the exchange on a free port)."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from playwright.sync_api import Browser, Page, expect

import ledgerdesk
from ledgerdesk.chain.registry import Registry, devnet_registry_file, load_registry
from ledgerdesk.core.paths import shipped_data_dir
from tests.browser import chromium

pytestmark = pytest.mark.browser

CUSTOMER_EMAIL = "customer@demo.ledgerdesk.local"
# `  Local devnet (EVM), USDT:  0x…  250 USDT, confirmed but not credited` (demo.world.announce)
HASH_LINE = re.compile(
    r"^  (?P<network>.+?), (?P<asset>\w+):\s+(?P<hash>0x[0-9a-f]{64})  (?P<what>.+)$"
)
CODE_LINE = re.compile(r"portal sign-in code for (\S+): (\d{6})")
START_TIMEOUT = 60.0
LOCALES = {"zh-CN": "zh-CN", "en": "en-US"}  # verdicts.yaml language -> browser locale


@dataclass(frozen=True)
class DemoTx:
    network_en: str
    asset: str
    tx_hash: str
    what: str


@dataclass
class Desk:
    url: str
    output: Path
    txs: dict[str, DemoTx]  # by the plan's name (data/demo/chain_world.json)

    def text(self) -> str:
        return self.output.read_text(encoding="utf-8", errors="replace")

    def sign_in_code(self, email: str) -> str:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            codes = [c for e, c in CODE_LINE.findall(self.text()) if e == email]
            if codes:
                return codes[-1]
            time.sleep(0.1)
        raise AssertionError(f"no portal sign-in code for {email} in the server output")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _devnet_ports(registry: Registry) -> list[int]:
    return [
        urlsplit(n.node.url).port or 80
        for n in registry.networks
        if n.node is not None and n.id.startswith("devnet")
    ]


def _environment(data_dir: Path, port: int) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("LEDGERDESK_") or key == "LEDGERDESK_REQUIRE_SERVICES"
    }
    src = str(Path(ledgerdesk.__file__).resolve().parents[1])  # the tree under test
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [src, env.get("PYTHONPATH")]))
    env.update(
        LEDGERDESK_DATA_DIR=str(data_dir),
        LEDGERDESK_DATABASE_URL=f"sqlite:///{data_dir / 'desk.db'}",
        LEDGERDESK_PORT=str(port),
        LEDGERDESK_DEMO_SERVICES="true",
        LEDGERDESK_DEMO_EXCHANGE_PORT="0",
        PYTHONUNBUFFERED="1",
        COLUMNS="200",
    )
    return env


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-c", "from ledgerdesk.cli import main; main()", *args]


def _wait_started(process: subprocess.Popen[bytes], output: Path, url: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"ledgerdesk serve exited with {process.returncode}:\n{output.read_text()}",
                pytrace=False,
            )
        if "Uvicorn running on" in output.read_text():
            return
        time.sleep(0.2)
    pytest.fail(f"{url} did not start in {START_TIMEOUT:.0f} s:\n{output.read_text()}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _parse_hashes(text: str) -> list[DemoTx]:
    return [
        DemoTx(m["network"], m["asset"], m["hash"], m["what"])
        for m in map(HASH_LINE.match, text.splitlines())
        if m
    ]


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    devnets = load_registry(devnet_registry_file())
    taken = [p for p in _devnet_ports(devnets) if _port_in_use(p)]
    if taken:
        pytest.fail(
            f"port(s) {', '.join(map(str, taken))} of the local chains (data/chain/devnet.yaml) "
            "are in use, probably by a running `make run`; stop it and run this test again",
            pytrace=False,
        )
    data_dir = tmp_path_factory.mktemp("make-run")
    port = _free_port()
    env = _environment(data_dir, port)
    migrated = subprocess.run(
        _cli("migrate"), env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    output = data_dir / "serve.log"
    url = f"http://127.0.0.1:{port}"
    with output.open("wb") as sink:
        process = subprocess.Popen(
            _cli("serve", "--host", "127.0.0.1"), env=env, stdout=sink, stderr=subprocess.STDOUT
        )
    try:
        _wait_started(process, output, url)
        printed = _parse_hashes(output.read_text())
        plan = json.loads((shipped_data_dir() / "demo" / "chain_world.json").read_text())
        assert len(printed) == len(plan["deposits"]), output.read_text()
        # The printed lines come in the plan's order, each described in English.
        txs = {item["name"]: tx for item, tx in zip(plan["deposits"], printed, strict=True)}
        for item in plan["deposits"]:
            assert txs[item["name"]].what == item["en"]
        yield Desk(url=url, output=output, txs=txs)
    finally:
        _stop(process)
    assert process.returncode is not None
    log = output.read_text()
    assert "Traceback" not in log, log
    # Everything the demo world started stopped with the desk.
    assert not [p for p in _devnet_ports(devnets) if _port_in_use(p)], log


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    yield from chromium()


def _titles() -> dict[str, dict[str, str]]:
    """verdict -> language -> the answer's title, as the desk ships them."""
    with (shipped_data_dir() / "chain" / "verdicts.yaml").open(encoding="utf-8") as handle:
        texts = yaml.safe_load(handle)
    return {
        verdict: {lang: text["title"] for lang, text in by_lang.items()}
        for verdict, by_lang in texts["deposit"].items()
    }


def _network_label(tx: DemoTx, lang: str) -> str:
    """The form's label for the network the output names (in English)."""
    registry = load_registry(devnet_registry_file())
    network = next(n for n in registry.networks if n.name("en") == tx.network_en)
    return network.name(lang)


def _check(page: Page, tx: DemoTx, lang: str) -> None:
    page.select_option("#dc-network", label=_network_label(tx, lang))
    page.locator("#dc-asset").fill(tx.asset)
    page.locator("#dc-tx").fill(tx.tx_hash)
    page.locator("#dc-submit").click()


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_printed_hashes_answer_on_the_help_center(browser: Browser, desk: Desk, lang: str) -> None:
    titles = _titles()
    context = browser.new_context(base_url=desk.url, locale=LOCALES[lang])
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        # The newcomer finds the check from the help center's home.
        page.goto("/help")
        expect(page.locator("html")).to_have_attribute("lang", lang)
        page.locator("#deposit-check-link").click()
        expect(page).to_have_url(re.compile(r"/help/deposit-check$"))
        for name in ("usdt_small", "eth_credited", "memo_missing"):
            plan = next(
                d
                for d in json.loads((shipped_data_dir() / "demo" / "chain_world.json").read_text())[
                    "deposits"
                ]
                if d["name"] == name
            )
            verdict = plan["expect_signed_out"]
            _check(page, desk.txs[name], lang)
            result = page.locator("#check-result")
            expect(result).to_have_attribute("data-verdict", verdict)
            expect(result.locator("h2")).to_have_text(titles[verdict][lang])
            # The form keeps what was typed, so the next hash only replaces the hash.
            expect(page.locator("#dc-tx")).to_have_value(desk.txs[name].tx_hash)
        # Signed out, an answer that needs the account offers to sign in.
        expect(page.locator("#check-sign-in")).to_be_visible()
    finally:
        context.close()


def test_demo_customer_gets_a_request_for_a_stuck_deposit(browser: Browser, desk: Desk) -> None:
    context = browser.new_context(base_url=desk.url, locale="en-US")
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto("/portal/login")
        page.locator("#email").fill(CUSTOMER_EMAIL)
        page.get_by_role("button", name="Send me a sign-in code").click()
        page.locator("#code").fill(desk.sign_in_code(CUSTOMER_EMAIL))
        page.get_by_role("button", name="Sign in", exact=True).click()
        page.locator("#nav-checks").click()
        expect(page).to_have_url(re.compile(r"/portal/checks$"))
        stuck = desk.txs["usdt_stuck"]
        _check(page, stuck, "en")
        result = page.locator("#check-result")
        expect(result).to_have_attribute("data-verdict", "confirmed_not_credited")
        expect(result.locator("h2")).to_have_text(_titles()["confirmed_not_credited"]["en"])
        link = page.locator("#check-ticket-link")
        ticket_id = (link.text_content() or "").rsplit("#", 1)[-1]
        assert ticket_id.isdigit(), link.text_content()
        link.click()
        expect(page).to_have_url(re.compile(rf"/portal/tickets/{ticket_id}$"))
        # The request carries what the check found; the customer is not asked again.
        expect(page.get_by_text(stuck.tx_hash).first).to_be_visible()
    finally:
        context.close()
