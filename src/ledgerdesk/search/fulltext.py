"""Full-text matching of tickets in the database, on text analysed by ``search.analysis``.

Each ticket keeps ``search_text``: the distinct analysed terms of its subject and messages,
space-separated and space-padded. PostgreSQL matches it through a GIN index on
``to_tsvector('simple', search_text)`` (the 'simple' configuration leaves our terms as they
are: segmentation and stemming already happened in Python, identically for the query);
SQLite matches whole terms with LIKE.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, func, literal_column

from ledgerdesk.search.analysis import analyse

MAX_TERMS_CHARS = 200_000  # far below PostgreSQL's 1 MB tsvector limit
MAX_QUERY_TERMS = 12


def terms_text(*texts: str, existing: str = "") -> str:
    """``existing`` plus the new distinct terms of ``texts``, padded for whole-term LIKE."""
    seen = set(existing.split())
    out = existing.strip()
    added: list[str] = []
    for text in texts:
        for term in analyse(text):
            if term not in seen:
                seen.add(term)
                added.append(term)
    if added:
        out = (out + " " + " ".join(added)).strip()
    return f" {out[:MAX_TERMS_CHARS].rsplit(' ', 1)[0] if len(out) > MAX_TERMS_CHARS else out} "


def union_terms(first: str, second: str) -> str:
    """Terms of both (a merge of two tickets), without analysing them again."""
    merged = list(dict.fromkeys(first.split() + second.split()))
    return terms_text(existing=" ".join(merged))


def query_terms(query: str) -> list[str]:
    terms: list[str] = []
    for term in analyse(query):
        if term not in terms:
            terms.append(term)
    return terms[:MAX_QUERY_TERMS]


def match(column: Any, query: str, dialect: str) -> ColumnElement[bool] | None:
    """A condition true for rows whose analysed text holds every term of ``query``."""
    terms = query_terms(query)
    if not terms:
        return None
    if dialect == "postgresql":
        tsquery = " & ".join("'" + term.replace("'", "''") + "'" for term in terms)
        # Spelled exactly as the index expression, so the planner uses ix_tickets_search.
        simple: Any = literal_column("'simple'")
        return func.to_tsvector(simple, column).op("@@")(func.to_tsquery(simple, tsquery))
    return and_(*[column.like(f"% {term} %") for term in terms])
