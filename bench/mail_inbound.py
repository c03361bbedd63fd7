"""Inbound e-mail processing rate (issue 15): messages per second through
``channels.mail_in.do_receive_mail`` — parse, trim, guard, thread and store, one transaction
(and commit) per mail, as the IMAP poller and the HTTP hook do.

For each database (a temp SQLite file, a throwaway PostgreSQL database), a fresh migrated desk,
then in this order:

1. **baseline**: the same number of tickets opened straight through
   ``tickets.services.do_create_ticket`` (channel e-mail, the same subjects and texts), one
   commit each: the cost of storing a ticket without any mail handling;
2. **inbound**: ``--mails`` generated messages (70 % new requests from new senders, 30 %
   replies threaded by ``In-Reply-To``, by the ``[#N]`` subject reference or by the reply
   address, several with quoted history in the Gmail / Outlook / QQ Mail styles and a few with
   an HTML part and a PNG attachment);
3. **parse only**: ``mail_parse.parse_message`` on the same messages, no database.

    .venv/bin/python bench/mail_inbound.py                    # SQLite and PostgreSQL
    .venv/bin/python bench/mail_inbound.py --only sqlite --mails 2000
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import tempfile
import time
import uuid
from email.message import EmailMessage
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("LEDGERDESK_DATA_DIR", tempfile.mkdtemp(prefix="ledgerdesk-bench-mail-"))
os.environ.setdefault("LEDGERDESK_SECRET_KEY", "bench-secret-key-" + "x" * 40)
os.environ.setdefault("LEDGERDESK_MAIL_FROM", "Example Support <support@example.test>")

from throwaway_db import database

from ledgerdesk.accounts.services import SYSTEM, do_upsert_customer
from ledgerdesk.ai.guard import warm_up as warm_guard
from ledgerdesk.channels.mail_in import do_receive_mail
from ledgerdesk.channels.mail_parse import parse_message
from ledgerdesk.channels.reply_token import reply_address
from ledgerdesk.core.db import make_engine, make_sessionmaker
from ledgerdesk.core.migrate import upgrade
from ledgerdesk.search.analysis import warm_up as warm_search
from ledgerdesk.tickets.models import Channel
from ledgerdesk.tickets.services import NewTicket, do_create_ticket

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
SUBJECTS = [
    "USDT deposit not credited",
    "提现一直显示处理中",
    "Account locked after password reset",
    "充值未到账 TRC20",
    "KYC documents rejected",
]
TEXTS = [
    "I sent 500 USDT on TRC20 two hours ago, txid 7c3f0e1a9b, and it is not in my account.",
    "我昨天提了 0.5 BTC，到现在还是处理中，请帮忙查一下。",
    "After resetting my password the app says my account is locked. Please help.",
    "充值了 1000 USDT，区块浏览器显示已确认，但是账户里没有。",
    "My passport scan was rejected twice; what is wrong with it?",
]
QUOTES = [
    "\n\nOn Sun, 6 Dec 2026 at 10:00, Support <support@example.test> wrote:\n> Hello,\n> "
    "could you send us the transaction id?\n> Regards",
    "\n\n在 2026年12月6日 10:00，客服 <support@example.test> 写道：\n> 您好，请提供交易哈希。",
    "\n\n-----Original Message-----\nFrom: Support <support@example.test>\nSent: Sunday\n"
    "Subject: Re: your request\n\nPlease send the transaction id.",
    '\n\n------------------ 原始邮件 ------------------\n发件人: "客服"<support@example.test>;\n'
    "主题: 回复: 充值未到账\n\n请提供交易哈希。",
]


def _mail(sender: str, subject: str, text: str, rng: random.Random, **headers: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = headers.pop("to", "support@example.test")
    msg["Subject"] = subject
    msg["Message-ID"] = f"<{uuid.uuid4().hex}@client.example.com>"
    for name, value in headers.items():
        msg[name] = value
    msg.set_content(text)
    if rng.random() < 0.15:
        msg.add_alternative(f"<div><p>{text}</p></div>", subtype="html")
    if rng.random() < 0.05:
        msg.add_attachment(PNG, maintype="image", subtype="png", filename="screenshot.png")
    return msg.as_bytes()


def make_mails(count: int, seed: int = 15) -> list[bytes]:
    """New requests first-come, then replies to tickets that exist by then. Ticket numbers are
    known in advance: the database is fresh and mails are filed in order."""
    rng = random.Random(seed)
    mails: list[bytes] = []
    opened: list[tuple[int, str, str]] = []  # ticket number, sender, our Message-ID stand-in
    for _ in range(count):
        if opened and rng.random() < 0.3:
            number, sender, subject = rng.choice(opened)
            text = rng.choice(TEXTS) + rng.choice(QUOTES)
            how = rng.choice(["subject", "address", "subject"])
            if how == "subject":
                mails.append(_mail(sender, f"回复: RE: [#{number}] {subject}", text, rng))
            else:
                mails.append(_mail(sender, "Re:", text, rng, to=reply_address(number)))
            continue
        sender = f"bench-{uuid.uuid4().hex[:10]}@example.com"
        index = rng.randrange(len(SUBJECTS))
        mails.append(_mail(sender, SUBJECTS[index], TEXTS[index], rng))
        opened.append((len(opened) + 1, sender, SUBJECTS[index]))
    return mails


def bench_database(kind: str, mails: list[bytes]) -> dict[str, float]:
    with database(kind) as url:
        engine = make_engine(url)
        upgrade(engine)
        factory = make_sessionmaker(engine)
        baseline_n = sum(1 for raw in mails if b"[#" not in raw and b"+t" not in raw)
        outcomes: dict[str, int] = {}
        with database(kind) as base_url:
            base_engine = make_engine(base_url)
            upgrade(base_engine)
            base_factory = make_sessionmaker(base_engine)
            started, cpu = time.perf_counter(), time.process_time()
            for number in range(baseline_n):
                with base_factory() as session:
                    customer = do_upsert_customer(session, email=f"b{number}@example.com")
                    index = number % len(SUBJECTS)
                    do_create_ticket(
                        session,
                        SYSTEM,
                        customer,
                        NewTicket(SUBJECTS[index], TEXTS[index], channel=Channel.email),
                    )
                    session.commit()
            baseline = baseline_n / (time.perf_counter() - started)
            baseline_cpu = baseline_n / (time.process_time() - cpu)
            base_engine.dispose()
        started, cpu = time.perf_counter(), time.process_time()
        for raw in mails:
            with factory() as session:
                result = do_receive_mail(session, raw, source="bench")
                session.commit()
            outcomes[result.outcome] = outcomes.get(result.outcome, 0) + 1
        inbound = len(mails) / (time.perf_counter() - started)
        inbound_cpu = len(mails) / (time.process_time() - cpu)
        engine.dispose()
    print(f"  {kind}: outcomes {outcomes}", file=sys.stderr)
    assert outcomes.get("rejected", 0) == 0 and outcomes.get("loop", 0) == 0, outcomes
    return {
        "baseline": baseline,
        "inbound": inbound,
        "baseline_cpu": baseline_cpu,
        "inbound_cpu": inbound_cpu,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mails", type=int, default=1000)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    mails = make_mails(args.mails)
    # Dictionaries and models load once per process (as the server's warm-up does), not in
    # whichever round runs first.
    warm_guard()
    warm_search()
    started, cpu = time.perf_counter(), time.process_time()
    for raw in mails:
        parse_message(raw)
    parse_rate = len(mails) / (time.perf_counter() - started)
    parse_cpu = len(mails) / (time.process_time() - cpu)
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}"
    )
    print(f"{len(mails)} mails, {sum(map(len, mails)) // len(mails)} bytes on average")
    print(f"parse only: {parse_rate:.0f} mails/s ({parse_cpu:.0f} per CPU-second)")
    print(f"load average before: {os.getloadavg()[0]:.1f}")
    print(
        "| database | baseline: tickets/s (per CPU-s) | inbound: mails/s (per CPU-s) "
        "| inbound ÷ baseline |"
    )
    print("|---|---|---|---|")
    for kind in [args.only] if args.only else ["sqlite", "postgresql"]:
        result = bench_database(kind, mails)
        ratio = result["inbound"] / result["baseline"]
        print(
            f"| {kind} | {result['baseline']:.0f} ({result['baseline_cpu']:.0f}) "
            f"| **{result['inbound']:.0f}** ({result['inbound_cpu']:.0f}) | {ratio:.2f} |"
        )
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
