"""The readable page of a transcript, rendered from its evidence JSON alone.

Deterministic by design: a verifier parses the embedded evidence, renders it again and compares
the result with the file byte for byte, so any change to the page (a message, a time, a
status, the style sheet) shows. Everything the page says comes from the evidence, including
the words: the labels of the reader's language travel in the evidence, so rendering needs no
catalog. ``docs/verify_transcript.py`` holds a copy of this module's rendering (it must stay
standard-library only); tests/trust_transcript checks the two give the same bytes. Keep this
module to the standard library and change both together.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from html import escape
from typing import Any

FORMAT = "ledgerdesk-transcript-v1"
SCRIPT_OPEN = '<script type="application/json" id="ledgerdesk-evidence">'
SCRIPT_CLOSE = "</script>"
NOUNS = {
    "message": "message",
    "event": "event",
    "attachment": "attachment",
    "guard": "guard finding",
    "case_step": "register step",
}
CSS = (
    "body{font:15px/1.5 system-ui,sans-serif;max-width:48em;margin:2em auto;padding:0 1em;color"
    ":#1d2430}h1{font-size:1.4em;margin:0}.subject{font-size:1.15em}.meta,.t,.head{color:#5b647"
    "3;font-size:.9em}article{border:1px solid #d5dae1;border-radius:8px;padding:.6em .9em;marg"
    "in:.7em 0}article.note{background:#fff8e1}.body{white-space:pre-wrap}.badge{background:#f0"
    "d58a;border-radius:4px;padding:0 .4em}.ev,.att{margin:.4em .9em}.pending{background:#eef4f"
    "f;padding:.5em .9em}.head{border-top:1px solid #d5dae1;margin-top:2em}*{overflow-wrap:anyw"
    "here}"
)


def canonical(obj: Any) -> bytes:
    """``trust.merkle.canonical_json`` (repeated so this module stays self-contained)."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def embedded(evidence: Any) -> str:
    """The evidence as it sits in the page: canonical JSON with every ``<`` escaped, so no
    text in it can close the script element."""
    return canonical(evidence).decode().replace("<", "\\u003c")


def when(stamp: str) -> str:
    """A leaf's time (``2026-12-01T10:00:00.123456Z``) as the page shows it."""
    return stamp[:10] + " " + stamp[11:19] + " UTC"


def head_time(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def describe(item: dict[str, Any], counts: dict[str, int]) -> str:
    """How verdicts name an item: ``message 3 (2026-12-01 10:00:00 UTC)``."""
    source = item["source"]
    counts[source] = counts.get(source, 0) + 1
    return f"{NOUNS.get(source, source)} {counts[source]} ({when(item['leaf']['at'])})"


def recorded_subject(items: list[dict[str, Any]]) -> str:
    """The subject as the log proves it: the last one an included event recorded."""
    subject = ""
    for item in items:
        after = item["leaf"].get("after") if item["source"] == "event" else None
        if isinstance(after, dict) and isinstance(after.get("subject"), str):
            subject = after["subject"]
    return subject


def _value(x: Any, lab: dict[str, Any]) -> str:
    if isinstance(x, list):
        return ", ".join(_value(i, lab) for i in x)
    if x is None:
        return "—"
    if isinstance(x, bool):
        x = "yes" if x else "no"
    if isinstance(x, str):
        return str(lab["values"].get(x, x))
    return canonical(x).decode() if isinstance(x, dict) else str(x)


def _who(kind: str, ident: Any, ev: dict[str, Any]) -> str:
    name = str(ev["labels"]["authors"].get(kind, kind))
    return name + (f" #{ident}" if ev["audience"] == "console" and ident is not None else "")


def _item(item: dict[str, Any], ev: dict[str, Any]) -> str:
    lab, leaf, e = ev["labels"], item["leaf"], escape
    t, source = when(leaf["at"]), item["source"]
    if source == "message":
        note = leaf["kind"] == "note"
        badge = f' · <span class="badge">{e(lab["note"])}</span>' if note else ""
        who = e(_who(leaf["author_kind"], leaf["author_id"], ev))
        return (
            f'<article class="msg{" note" if note else ""}"><div class="meta"><b>{who}</b> · '
            f'{t}{badge}</div><div class="body">{e(item["body"])}</div></article>\n'
        )
    if source == "attachment":
        size = f"{leaf['size']} {lab['bytes']}"
        sha = e(leaf["sha256"])
        return f'<div class="att">{e(lab["attachment"])}: {e(size)} · SHA-256 {sha}</div>\n'
    if source == "event":
        what = str(lab["actions"].get(leaf["action"], leaf["action"]))
        before, after = leaf["before"] or {}, leaf["after"] or {}
        changes = "".join(
            f"<br>{e(lab['fields'][k])}: "
            + (f"{e(_value(before[k], lab))} → " if k in before else "")
            + e(_value(v, lab))
            for k, v in after.items()
            if k in lab["fields"]
        )
        who = e(_who(leaf["actor_kind"], leaf["actor_id"], ev))
        return f'<div class="ev"><span class="t">{t}</span> {who} · {e(what)}{changes}</div>\n'
    key = "kind" if source == "guard" else "step"
    what = f"{lab[source]}: {lab['values'].get(leaf[key], leaf[key])}"
    return f'<div class="ev"><span class="t">{t}</span> {e(what)}</div>\n'


def parts(ev: dict[str, Any]) -> list[tuple[str, str]]:
    """The page in pieces, each with the name a verdict gives it when it differs."""
    lab, e, ticket, head = ev["labels"], escape, ev["ticket"], ev["head"]
    out = [
        (
            "the page head and style sheet",
            f'<!DOCTYPE html>\n<html lang="{e(ev["language"])}"><head><meta charset="utf-8">'
            f"<title>{e(lab['title'])} {e(ticket['reference'])}</title><style>{CSS}</style>"
            "</head><body>\n",
        ),
        (
            "the heading",
            f'<h1>{e(lab["title"])} {e(ticket["reference"])}</h1>\n<p class="subject">'
            f"{e(ticket['subject'])}</p>\n<p>{e(lab['intro'])}</p>\n",
        ),
    ]
    if ev["pending"]:
        text = lab["pending"].replace("{n}", str(ev["pending"]))
        out.append(("the note on entries not yet recorded", f'<p class="pending">{e(text)}</p>\n'))
    counts: dict[str, int] = {}
    out += [(describe(i, counts), _item(i, ev)) for i in ev["items"]]
    line = lab["head"].replace("{size}", str(head["tree_size"])).replace("{key}", head["key_id"])
    line = line.replace("{time}", head_time(head["timestamp"]))
    anchor = ev.get("anchor")
    if anchor is not None:
        line += " · " + lab["anchor"] + ": " + _value(anchor, lab)
    # The evidence's own hash on the page: a change to any byte of the evidence, even one that
    # renders nothing (an unused label), makes the page differ.
    digest = hashlib.sha256(canonical(ev)).hexdigest()
    foot = (
        f'<p class="head">{e(line)}<br>{e(lab["root"])}: {e(head["root_hash"])}<br>'
        f"{e(lab['fingerprint'])}: {digest}</p>\n"
    )
    out.append(("the tree head", foot))
    out.append(("the embedded evidence", SCRIPT_OPEN + embedded(ev) + SCRIPT_CLOSE))
    out.append(("the end of the page", "\n</body></html>\n"))
    return out


def render(ev: dict[str, Any]) -> bytes:
    """The whole file for ``ev`` (as parsed back from its canonical JSON)."""
    return "".join(chunk for _, chunk in parts(ev)).encode()
