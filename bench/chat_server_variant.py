"""``ledgerdesk`` with instruments or switches for the chat bench's analysis (never for use).

    .venv/bin/python bench/chat_server_variant.py [--gc-log] [--gc-freeze] [--no-recheck] serve ...

Runs the ordinary command line after setting up, in the server process itself:

- ``--gc-log``: every garbage collection over 20 ms is written to stderr (the server log) as
  ``GCPROBE <unix time> gen<N> <ms> ms collected <n> objects <tracked>``, to line up with the
  stalls the bench's loop probe sees;
- ``--gc-freeze``: 20 s after start (the app is up, its indexes and models loaded, no client
  yet) one full collection, then ``gc.freeze()``: what startup made is left out of every later
  collection;
- ``--no-recheck``: the chat hub's periodic sign-in re-check of every connection is switched
  off (``ledgerdesk.chat.hub.AUTH_CHECK_SECONDS``), to measure what it costs.

``bench/chat_delivery.py --variant gc-log,gc-freeze,no-recheck`` starts its servers this way.
"""

from __future__ import annotations

import gc
import sys
import threading
import time
from typing import Any

GC_LOG_MS = 20.0
FREEZE_AFTER_S = 20.0
_started: list[float] = [0.0]


def _gc_log(phase: str, info: dict[str, Any]) -> None:
    if phase == "start":
        _started[0] = time.perf_counter()
        return
    ms = (time.perf_counter() - _started[0]) * 1000
    if ms > GC_LOG_MS:
        tracked = len(gc.get_objects()) if info["generation"] == 2 else "-"
        print(
            f"GCPROBE {time.time():.3f} gen{info['generation']} {ms:.0f} ms "
            f"collected {info['collected']} objects {tracked}",
            file=sys.stderr,
            flush=True,
        )


def _freeze_later() -> None:
    time.sleep(FREEZE_AFTER_S)
    gc.collect()
    gc.freeze()
    print(f"GCPROBE froze {gc.get_freeze_count()} objects", file=sys.stderr, flush=True)


def main(argv: list[str]) -> None:
    flags = {"--gc-log", "--gc-freeze", "--no-recheck"}
    chosen = {a for a in argv if a in flags}
    rest = [a for a in argv if a not in flags]
    if "--gc-log" in chosen:
        gc.callbacks.append(_gc_log)
    if "--gc-freeze" in chosen:
        threading.Thread(target=_freeze_later, daemon=True).start()
    if "--no-recheck" in chosen:
        import ledgerdesk.chat.hub as hub

        hub.AUTH_CHECK_SECONDS = float("inf")
    from ledgerdesk.cli import app

    sys.argv = ["ledgerdesk", *rest]
    app()


if __name__ == "__main__":
    main(sys.argv[1:])
