"""``@name`` mentions in an internal note: which agents a note calls.

An agent is mentioned by ``@`` followed by their name or the local part of their e-mail
address, in any letter case (``@Ana Lima``, ``@ana.lima``, ``@张伟``). Latin names must end at a
word boundary (``@ana`` does not call "Anabel"); a CJK name needs none, since Chinese runs on
without spaces (``@张伟请看一下``). Where several names start at the same ``@``, the longest
wins, so "@Ana Lima" calls Ana Lima and not an agent named just "Ana"."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]")
_WORD = re.compile(r"[\w]")


@dataclass(frozen=True)
class Candidate:
    agent_id: int
    name: str
    email: str


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _handles(candidate: Candidate) -> set[str]:
    handles = {" ".join(_fold(candidate.name).split())}
    local = _fold(candidate.email).partition("@")[0]
    if local:
        handles.add(local)
    return {h for h in handles if h}


def _ends_cleanly(text: str, end: int, handle: str) -> bool:
    if end >= len(text) or _CJK.match(handle[-1]):
        return True
    following = text[end]
    if following in ".-_" and end + 1 < len(text) and _WORD.match(text[end + 1]):
        return False  # "@ana.lima" is not a mention of "ana"
    return not _WORD.match(following)


def mentioned(text: str, candidates: Iterable[Candidate]) -> list[int]:
    """The ids of the candidates ``text`` mentions, in the order first mentioned."""
    folded = _fold(text)
    table: list[tuple[str, int]] = sorted(
        ((h, c.agent_id) for c in candidates for h in _handles(c)), key=lambda x: -len(x[0])
    )
    found: list[int] = []
    for at in (m.start() for m in re.finditer("@", folded)):
        if at > 0 and _WORD.match(folded[at - 1]) and not _CJK.match(folded[at - 1]):
            continue  # an e-mail address such as ana@desk.test, not a mention
        _take_longest(folded, at + 1, table, found)
    return found


def _take_longest(
    text: str, start: int, table: Sequence[tuple[str, int]], found: list[int]
) -> None:
    best = 0
    for handle, agent_id in table:
        if len(handle) < best:
            break
        end = _end_of(text, start, handle)
        if end is None or not _ends_cleanly(text, end, handle):
            continue
        best = len(handle)
        if agent_id not in found:
            found.append(agent_id)


def _end_of(text: str, start: int, handle: str) -> int | None:
    """Where ``handle`` ends in ``text`` from ``start``, letting runs of spaces in the text
    match the single spaces of the handle."""
    position = start
    for char in handle:
        if position >= len(text):
            return None
        if char == " ":
            if not text[position].isspace():
                return None
            while position < len(text) and text[position].isspace():
                position += 1
            continue
        if text[position] != char:
            return None
        position += 1
    return position
