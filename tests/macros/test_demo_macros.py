"""The demo desk's macros and escalation path (data/demo/macros.yaml). Loading the demo is slow,
so the loaded desk is checked inside ``tests/demo/test_demo.py``'s own load (it calls
``assert_demo_macros``); here, what needs no database: every help-center placeholder names an
article the shipped help center has in both languages."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerdesk.accounts.models import Team, Tier
from ledgerdesk.core.paths import shipped_data_dir
from ledgerdesk.macros.models import Macro
from ledgerdesk.sla.escalation import next_team
from ledgerdesk.tickets.models import Status, Ticket

_KB_PLACEHOLDER = re.compile(r"\{\{\s*kb:([a-z0-9-]+)\s*\}\}")


def test_demo_macros_name_shipped_articles_in_both_languages() -> None:
    text = (shipped_data_dir() / "demo" / "macros.yaml").read_text(encoding="utf-8")
    slugs = set(_KB_PLACEHOLDER.findall(text))
    assert len(slugs) >= 2
    articles = shipped_data_dir() / "kb" / "articles"
    for slug in sorted(slugs):
        for language in ("en", "zh-CN"):
            assert (articles / f"{slug}.{language}.md").is_file(), (slug, language)


def assert_demo_macros(session: Session) -> None:
    """Four bilingual macros (three shared) and teams wired L1 -> L2 -> specialist."""
    rows = list(session.scalars(select(Macro).order_by(Macro.id)))
    assert len(rows) == 4 and sum(m.owner_id is None for m in rows) == 3
    assert all(m.body_en and m.body_zh for m in rows)
    by_name = {t.name: t for t in session.scalars(select(Team))}
    l1, wallet = by_name["一线客服 L1"], by_name["Wallet operations 钱包运营"]
    assert l1.escalation_team_id == wallet.id
    assert wallet.escalation_team_id == by_name["Security 安全团队"].id
    ticket = session.scalars(
        select(Ticket)
        .where(Ticket.language == "zh", Ticket.team_id == l1.id, Ticket.status == Status.open)
        .order_by(Ticket.id)
    ).first()
    assert ticket is not None
    upper = next_team(session, ticket)
    assert upper is not None and upper.tier == Tier.l2
