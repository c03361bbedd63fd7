"""``ledgerdesk serve`` with the assistant's engine scripted (tests/assistant/scripted.py),
for the browser test of the widget's assistant messages: the engine is written on another
branch, and the desk's job, its items and the widget are what that test checks. The
embedded worker runs jobs in this process, so the patch applies to them.

Run as ``python -m tests.chat_browser.scripted_serve serve --host …``."""

from __future__ import annotations

from ledgerdesk.ai.assistant import engine
from ledgerdesk.cli import main
from tests.assistant import scripted

engine.answer = scripted.answer

if __name__ == "__main__":
    main()
