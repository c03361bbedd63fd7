"""What a customer's message says that the assistant's tools can use: a transaction hash, the
networks and assets it names, whether it is about a deposit or a withdrawal, and whether the
customer says something of theirs went wrong ("hasn't arrived", "还没到账").

Pure and offline: the words of the registry (network aliases, ids and names; asset symbols)
plus a few fixed phrase lists, matched on the text folded to lower case and simplified Chinese
(traditional characters are folded, so "提幣還沒到帳" reads as "提币还没到账").
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from ledgerdesk.chain.formats import ChainRef, find_chain_refs
from ledgerdesk.chain.registry import Registry
from ledgerdesk.search.analysis import normalise

# Coin names customers write in Chinese instead of the symbol. "以太坊" is left out: it names
# the Ethereum network (a registry alias), and USDT is sent on it as often as ETH.
ASSET_NAMES = {"泰达币": "USDT", "泰达": "USDT", "比特币": "BTC", "以太币": "ETH", "波场币": "TRX"}

_WITHDRAWAL = re.compile(r"withdr[ae]w\w*|提币|提现|提款|出金")
_DEPOSIT = re.compile(r"deposit\w*|top[- ]?up|充值|充币|入金|存入|转入")
# Something of theirs went wrong: enough on its own to start a check.
_PROBLEM = re.compile(
    r"(?:(?<![a-z])not|n't)\s+(?:yet\s+)?"
    r"(?:arrived?|received|credited|show\w*|reflected|there|come|came)"
    r"|(?:hasn|haven|didn|doesn|isn|wasn)'?t\s+(?:\w+\s+){0,2}"
    r"(?:arriv\w*|receiv\w*|credit\w*|show\w*|reflect\w*|come|get|got|appear\w*)"
    r"|never\s+(?:arrived|came|got|received|credited)|missing|stuck|lost|disappeared"
    r"|(?:still\s+)?nothing\s+(?:in|on|arrived|came|show\w*|yet|there)|still\s+nothing"
    r"|没到|未到|没有到|不到账|还没到|没收到|没有收到|未收到|没入账|未入账|没有入账"
    r"|没显示|没有显示|不显示|看不到|查不到|卡住|卡了|丢了|不见了|到账了吗|到了吗"
)
# Asking after something: starts a check only when the customer also speaks of their own.
_ASKING = re.compile(
    r"where(?:'s|\s+is)|status|pending|on\s+hold|held|hold|delay\w*|slow|still|when\s+will"
    r"|how\s+long|taking|check|track|fail\w*|reject\w*|cancel\w*"
    r"|什么时候|多久|怎么还|还在|一直|进度|状态|查一下|查询|审核|冻结|暂缓|失败|拒绝|取消|退回"
)
# "How do I check my deposit address?" asks how to do something, not where their money is.
_HOW_TO = re.compile(r"how\s+(?:do|can|to|should)\b|如何|怎样|怎么(?!还)")
_MINE = re.compile(r"(?<![a-z])(?:my|i|i'm|i've|me|mine)(?![a-z])|我")
# The customer names the cause themselves: without a hash and an account to check, the help
# center's article on that cause answers better than a request for the TxID.
_CAUSE = re.compile(
    r"memo|tag|wrong\s+(?:network|chain)|minimum|unsupported|not\s+supported"
    r"|备注|标签|错链|错误的网络|选错|最小|最低|不支持"
)
# Words that make "my USDT hasn't arrived" a deposit question though "deposit" is not said
# ("arrived" alone is not enough: verification codes arrive too).
_MONEY_ARRIVAL = re.compile(r"credited|到账|入账")
_HOLD = re.compile(r"hold|held|冻结|暂缓|安全期|锁定")
_FAILED = re.compile(r"fail\w*|reject\w*|cancel\w*|失败|拒绝|驳回|取消|退回")
_SENT = re.compile(r"sent|completed?|success\w*|已发出|已完成|显示成功|对方")
_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?![\w.])")


@dataclass(frozen=True)
class Said:
    """What one message says. ``networks``/``assets``: registry ids and symbols in the order
    they first appear. ``kind``: "withdrawal" when it speaks of a withdrawal and not of a
    deposit, else "deposit". ``trouble``: the customer says something of theirs went wrong
    or asks where it is."""

    text: str  # folded (lower case, simplified)
    tx: ChainRef | None
    networks: tuple[str, ...]
    assets: tuple[str, ...]
    kind: str
    deposit_words: bool
    withdrawal_words: bool
    trouble: bool
    money_words: bool
    names_cause: bool
    amounts: tuple[Decimal, ...]

    @property
    def withdrawal(self) -> bool:
        return self.kind == "withdrawal"

    @property
    def deposit_trouble(self) -> bool:
        """ "My deposit hasn't arrived", "我的USDT还没到账"."""
        return self.trouble and not self.withdrawal and self.money_words

    @property
    def withdrawal_trouble(self) -> bool:
        """ "Where is my withdrawal?", "我的提现被冻结了"."""
        return self.trouble and self.withdrawal

    def mentions(self, pattern: re.Pattern[str]) -> bool:
        return pattern.search(self.text) is not None

    def says_hold(self) -> bool:
        return self.mentions(_HOLD)

    def says_failed(self) -> bool:
        return self.mentions(_FAILED)

    def says_sent(self) -> bool:
        return self.mentions(_SENT)


class _Vocabulary:
    """The registry's words as two patterns (networks, assets), compiled once per registry."""

    def __init__(self, registry: Registry) -> None:
        self.network_of: dict[str, str] = {}
        for network in registry.networks:
            for word in (*network.aliases, network.id, network.name_en, network.name_zh):
                self.network_of.setdefault(normalise(word), network.id)
        self.asset_of: dict[str, str] = {normalise(s): s for s in registry.asset_symbols()}
        for name, symbol in ASSET_NAMES.items():
            if symbol in registry.asset_symbols():
                self.asset_of.setdefault(normalise(name), symbol)
        self.networks = _alternation(self.network_of)
        self.assets = _alternation(self.asset_of)


def _alternation(words: dict[str, str]) -> re.Pattern[str]:
    """One pattern for ``words``, longest first. A Latin word must stand alone ("eth" is not
    in "ethereum"); a Chinese one may touch Latin letters ("波场USDT")."""
    terms = sorted(words, key=len, reverse=True)
    body = "|".join(_bounded(term) for term in terms) or r"(?!x)x"
    return re.compile(f"(?:{body})")


def _bounded(term: str) -> str:
    before = r"(?<![a-z0-9])" if term[:1].isascii() and term[:1].isalnum() else ""
    after = r"(?![a-z0-9])" if term[-1:].isascii() and term[-1:].isalnum() else ""
    return before + re.escape(term) + after


_lock = threading.Lock()
_vocabulary: tuple[Registry, _Vocabulary] | None = None


def _words(registry: Registry) -> _Vocabulary:
    global _vocabulary
    with _lock:
        if _vocabulary is None or _vocabulary[0] is not registry:
            _vocabulary = (registry, _Vocabulary(registry))
        return _vocabulary[1]


def _in_order(pattern: re.Pattern[str], owner: dict[str, str], text: str) -> tuple[str, ...]:
    found: list[str] = []
    for match in pattern.finditer(text):
        value = owner[match.group()]
        if value not in found:
            found.append(value)
    return tuple(found)


def _amounts(text: str) -> tuple[Decimal, ...]:
    values: list[Decimal] = []
    for match in _NUMBER.finditer(text):
        try:
            values.append(Decimal(match.group()))
        except InvalidOperation:  # pragma: no cover - the pattern only matches numbers
            continue
    return tuple(values)


def read_message(text: str, registry: Registry) -> Said:
    """Read ``text`` (a customer's message, already guarded)."""
    refs = [r for r in find_chain_refs(text) if r.kind == "tx"]
    # Hashes and addresses are not words: "0xab…" must not be read as an amount or a name.
    bare = text
    for ref in reversed(find_chain_refs(text)):
        bare = bare[: ref.start] + " " + bare[ref.end :]
    folded = normalise(bare)
    words = _words(registry)
    withdrawal_words = _WITHDRAWAL.search(folded) is not None
    deposit_words = _DEPOSIT.search(folded) is not None
    problem = _PROBLEM.search(folded) is not None
    asking = (
        _ASKING.search(folded) is not None
        and _MINE.search(folded) is not None
        and _HOW_TO.search(folded) is None
    )
    assets = _in_order(words.assets, words.asset_of, folded)
    return Said(
        text=folded,
        tx=refs[0] if refs else None,
        networks=_in_order(words.networks, words.network_of, folded),
        assets=assets,
        kind="withdrawal" if withdrawal_words and not deposit_words else "deposit",
        deposit_words=deposit_words,
        withdrawal_words=withdrawal_words,
        trouble=problem or asking,
        money_words=deposit_words or _MONEY_ARRIVAL.search(folded) is not None or bool(assets),
        names_cause=_CAUSE.search(folded) is not None,
        amounts=_amounts(folded),
    )
