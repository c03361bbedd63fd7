#!/usr/bin/env python3
"""Verify a ledgerdesk transcript with Python 3.11+ alone: python3 verify_transcript.py FILE KEY_HEX
Checks the tree head's Ed25519 signature (RFC 8032), each entry's inclusion in its root (RFC 9162),
each message's salted SHA-256, and that the page is exactly the one its evidence renders. Exit 0 if
verified; 1: a line per problem; 2: unreadable file or bad key. Same verdicts as `ledgerdesk verify`."""
import hashlib, json, sys  # noqa: E401
from datetime import UTC, datetime
from html import escape

# -- Ed25519 verification, RFC 8032 §5.1 (extended coordinates) --------------------------
P, L = 2**255 - 19, 2**252 + 27742317777372353535851937790883648493
D, SQRT_M1 = -121665 * pow(121666, P - 2, P) % P, pow(2, (P - 1) // 4, P)
def _x(y, sign):
    u, v = (y * y - 1) % P, (D * y * y + 1) % P
    x = u * pow(v, 3, P) * pow(u * pow(v, 7, P), (P - 5) // 8, P) % P
    x = x * SQRT_M1 % P if (v * x * x - u) % P else x
    return None if (v * x * x - u) % P or (x == 0 and sign) else (P - x if x & 1 != sign else x)
def _point(s):
    y = int.from_bytes(s, "little")
    sign, y = y >> 255, y & ((1 << 255) - 1)  # the sign of x, then y
    x = _x(y, sign) if y < P else None
    return None if x is None else (x, y, 1, x * y % P)
def _add(p, q):
    a, b = (p[1] - p[0]) * (q[1] - q[0]) % P, (p[1] + p[0]) * (q[1] + q[0]) % P
    c, d = 2 * p[3] * q[3] * D % P, 2 * p[2] * q[2] % P
    e, f, g, h = b - a, d - c, d + c, b + a  # RFC 8032 §5.1.4, add-2008-hwcd-3
    return (e * f % P, g * h % P, f * g % P, e * h % P)
def _mul(n, p):  # [n]p = [n >> 1](2p) + (n & 1)p
    return (0, 1, 1, 0) if n == 0 else _add(_mul(n >> 1, _add(p, p)), p if n & 1 else (0, 1, 1, 0))
BASE = _point((4 * pow(5, P - 2, P) % P).to_bytes(32, "little"))
def ed25519_verify(public, message, signature):
    if len(public) != 32 or len(signature) != 64:  # §5.1.7: decode A, R and S; S < L
        return False
    a, r, s = _point(public), _point(signature[:32]), int.from_bytes(signature[32:], "little")
    if a is None or r is None or s >= L:
        return False
    k = int.from_bytes(hashlib.sha512(signature[:32] + public + message).digest(), "little") % L
    (x1, y1, z1, _), (x2, y2, z2, _) = _mul(s, BASE), _add(r, _mul(k, a))  # [S]B == R + [k]A
    return (x1 * z2 - x2 * z1) % P == 0 and (y1 * z2 - y2 * z1) % P == 0

# -- RFC 9162 §2.1.3.2 inclusion --------------------------------------------------------
_h = lambda data: hashlib.sha256(data).digest()  # noqa: E731
def verify_inclusion(index, size, leaf, proof, root):
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = _h(b"\x01" + p + r)
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = _h(b"\x01" + r + p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root

# -- the page, exactly as ledgerdesk renders it (trust/transcript_html.py) --------------
FORMAT, OPEN, CLOSE = "ledgerdesk-transcript-v1", '<script type="application/json" id="ledgerdesk-evidence">', "</script>"
NOUNS = {"message": "message", "event": "event", "attachment": "attachment", "guard": "guard finding", "case_step": "register step"}
CSS = ("body{font:15px/1.5 system-ui,sans-serif;max-width:48em;margin:2em auto;padding:0 1em;color:#1d2430}h1{font-size:"
       "1.4em;margin:0}.subject{font-size:1.15em}.meta,.t,.head{color:#5b6473;font-size:.9em}article{border:1px solid #d"
       "5dae1;border-radius:8px;padding:.6em .9em;margin:.7em 0}article.note{background:#fff8e1}.body{white-space:pre-wr"
       "ap}.badge{background:#f0d58a;border-radius:4px;padding:0 .4em}.ev,.att{margin:.4em .9em}.pending{background:#eef"
       "4ff;padding:.5em .9em}.head{border-top:1px solid #d5dae1;margin-top:2em}*{overflow-wrap:anywhere}")
canon = lambda o: json.dumps(o, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()  # noqa: E731
when = lambda s: s[:10] + " " + s[11:19] + " UTC"  # noqa: E731
head_time = lambda ms: datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")  # noqa: E731
def describe(item, counts):  # how verdicts name an item: "message 3 (2026-12-01 10:00:00 UTC)"
    counts[item["source"]] = counts.get(item["source"], 0) + 1
    return f"{NOUNS.get(item['source'], item['source'])} {counts[item['source']]} ({when(item['leaf']['at'])})"
def recorded_subject(items):
    subject = ""  # the last subject an included event recorded
    for item in items:
        after = item["leaf"].get("after") if item["source"] == "event" else None
        subject = after["subject"] if isinstance(after, dict) and isinstance(after.get("subject"), str) else subject
    return subject
def _value(x, lab):
    if isinstance(x, list) or x is None:
        return ", ".join(_value(i, lab) for i in x) if x is not None else "—"
    x = ("yes" if x else "no") if isinstance(x, bool) else x
    return str(lab["values"].get(x, x)) if isinstance(x, str) else canon(x).decode() if isinstance(x, dict) else str(x)
def _who(kind, ident, ev):
    return str(ev["labels"]["authors"].get(kind, kind)) + (f" #{ident}" if ev["audience"] == "console" and ident is not None else "")
def _item(item, ev):
    lab, leaf, e, t, source = ev["labels"], item["leaf"], escape, when(item["leaf"]["at"]), item["source"]
    if source == "message":
        note, who = leaf["kind"] == "note", e(_who(leaf["author_kind"], leaf["author_id"], ev))
        badge = f' · <span class="badge">{e(lab["note"])}</span>' if note else ""
        return (f'<article class="msg{" note" if note else ""}"><div class="meta"><b>{who}</b> · '
                f'{t}{badge}</div><div class="body">{e(item["body"])}</div></article>\n')  # fmt: skip
    if source == "attachment":
        size = f"{leaf['size']} {lab['bytes']}"
        return f'<div class="att">{e(lab["attachment"])}: {e(size)} · SHA-256 {e(leaf["sha256"])}</div>\n'
    if source == "event":
        what = str(lab["actions"].get(leaf["action"], leaf["action"]))
        before, after = leaf["before"] or {}, leaf["after"] or {}
        changes = "".join(f"<br>{e(lab['fields'][k])}: " + (f"{e(_value(before[k], lab))} → " if k in before else "")
                          + e(_value(v, lab)) for k, v in after.items() if k in lab["fields"])  # fmt: skip
        who = e(_who(leaf["actor_kind"], leaf["actor_id"], ev))
        return f'<div class="ev"><span class="t">{t}</span> {who} · {e(what)}{changes}</div>\n'
    key = "kind" if source == "guard" else "step"
    what = f"{lab[source]}: {lab['values'].get(leaf[key], leaf[key])}"  # a guard finding, a register step
    return f'<div class="ev"><span class="t">{t}</span> {e(what)}</div>\n'
def parts(ev):
    lab, e, ticket, head = ev["labels"], escape, ev["ticket"], ev["head"]
    out = [("the page head and style sheet", f'<!DOCTYPE html>\n<html lang="{e(ev["language"])}"><head><meta charset="utf-8">'
            f"<title>{e(lab['title'])} {e(ticket['reference'])}</title><style>{CSS}</style></head><body>\n"),
           ("the heading", f"<h1>{e(lab['title'])} {e(ticket['reference'])}</h1>\n<p class=\"subject\">"
            f"{e(ticket['subject'])}</p>\n<p>{e(lab['intro'])}</p>\n")]  # fmt: skip
    if ev["pending"]:
        out.append(("the note on entries not yet recorded", f'<p class="pending">{e(lab["pending"].replace("{n}", str(ev["pending"])))}</p>\n'))
    counts = {}
    out += [(describe(i, counts), _item(i, ev)) for i in ev["items"]]
    line = lab["head"].replace("{size}", str(head["tree_size"])).replace("{key}", head["key_id"])
    line = line.replace("{time}", head_time(head["timestamp"]))
    if ev.get("anchor") is not None:
        line += " · " + lab["anchor"] + ": " + _value(ev["anchor"], lab)
    digest = hashlib.sha256(canon(ev)).hexdigest()  # so no byte of the evidence goes unshown
    out.append(("the tree head", f'<p class="head">{e(line)}<br>{e(lab["root"])}: {e(head["root_hash"])}<br>'
                f'{e(lab["fingerprint"])}: {digest}</p>\n'))  # fmt: skip
    out.append(("the embedded evidence", OPEN + canon(ev).decode().replace("<", "\\u003c") + CLOSE))
    return out + [("the end of the page", "\n</body></html>\n")]

# -- the verdict (same checks, same words as ledgerdesk/trust/transcript_verify.py) -----
MALFORMED = "the embedded evidence is malformed (a field is missing or has the wrong type)"
def verify(data, public):
    start = data.find(OPEN.encode())
    end = data.find(CLOSE.encode(), start + 1)
    if start < 0 or end < 0:
        return ["the file holds no ledgerdesk transcript evidence"], ""
    raw = data[start + len(OPEN) : end]
    try:
        ev = json.loads(raw.decode("utf-8"))
    except ValueError:
        return ["the embedded evidence is not valid JSON"], ""
    out = [] if canon(ev).decode().replace("<", "\\u003c").encode() == raw else [
        "the embedded evidence is not in canonical form (it was edited)"]  # fmt: skip
    try:
        if ev["format"] != FORMAT:
            return out + ["this is not a transcript this verifier knows"], ""
        head, kid = ev["head"], hashlib.sha256(public).hexdigest()[:16]
        if head["key_id"] != kid:
            out.append(f"the tree head names key {head['key_id']}, but the key given is {kid}")
        else:
            signed = b"ledgerdesk-tree-head-v1\n" + canon({k: head[k] for k in ("key_id", "root_hash", "timestamp", "tree_size")})
            if not ed25519_verify(public, signed, _unhex(head["signature"])):
                out.append("the tree head's signature does not verify with this key")
        root, size, last, counts = bytes.fromhex(head["root_hash"]), head["tree_size"], -1, {}
        for item in ev["items"]:
            name, leaf = describe(item, counts), item["leaf"]
            out += [f"{name}: its source differs from its record"] if item["source"] != leaf["type"] else []
            salted = bytes.fromhex(item["salt"]) + item["body"].encode() if item["source"] == "message" else b""
            if item["source"] == "message" and hashlib.sha256(salted).hexdigest() != leaf["body_sha256"]:
                out.append(f"{name}: the text shown differs from the one recorded")
            proof = [bytes.fromhex(p) for p in item["proof"]]
            included = verify_inclusion(item["index"], size, _h(b"\x00" + canon(leaf)), proof, root)
            out += [] if included else [f"{name}: not included in the signed tree head"]
            out += [f"{name}: out of order or repeated"] if item["index"] <= last else []
            last = item["index"]
            if item["source"] == "event" and f"#{leaf['ticket_id']}" != ev["ticket"]["reference"]:
                out.append(f"{name}: recorded for another ticket")
        subject_ok = ev["ticket"]["subject"] == recorded_subject(ev["items"])
        out += [] if subject_ok else ["the ticket's subject differs from the one recorded"]
        offset = 0
        for where, chunk in parts(ev) + [("the end of the page", "")]:
            piece = chunk.encode()
            if data[offset : offset + len(piece)] != piece or (not piece and len(data) != offset):
                out.append(f"the readable page differs from the evidence at {where}")
                break
            offset += len(piece)
        summary = (f"transcript verified: {len(ev['items'])} items, tree head of size {head['tree_size']} "
                   f"signed at {head_time(head['timestamp'])} by key {head['key_id']}")  # fmt: skip
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, OverflowError, OSError):
        return out + [MALFORMED], ""
    return out, summary
def _unhex(text):
    try:
        return bytes.fromhex(text)
    except ValueError:  # what ledgerdesk's signing.verify refuses (a TypeError is malformed)
        return b""
def main(argv):
    public = _unhex(argv[2].strip()) if len(argv) == 3 else b""
    if len(public) != 32:
        print("usage: verify_transcript.py FILE PUBLIC_KEY_HEX (64 hex characters)", file=sys.stderr)
        return 2
    try:
        data = open(argv[1], "rb").read()
    except OSError as exc:
        print(f"cannot read {argv[1]}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    problems, summary = verify(data, public)
    print("\n".join(problems) if problems else summary)
    return 1 if problems else 0

if __name__ == "__main__":
    sys.exit(main(sys.argv))
