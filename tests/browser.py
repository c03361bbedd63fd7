"""Debian's Chromium for the browser tests, driven by Playwright (never a downloaded browser).

The flags keep it off the network this machine does not have: without them it tries
Google's hosts at every start and its refused connections fill the log."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from playwright.sync_api import Browser, sync_playwright

from tests.conftest import unavailable

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def chromium() -> Iterator[Browser]:
    """A headless Chromium for one fixture's lifetime (use with ``yield from``)."""
    if not CHROMIUM.exists():
        unavailable("Chromium", f"{CHROMIUM} is missing; install Debian's chromium package")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield launched
        launched.close()
