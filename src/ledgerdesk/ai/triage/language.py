"""Which language a message is written in: ``zh-Hans``, ``zh-Hant``, ``en`` or ``other``.

Script counting, not a model: Han characters decide Chinese (a message with enough of them is
Chinese even when it carries English coin names and network codes), the traditional-only
characters among them decide the script, and Latin text is English when it reads like English
(common function words) rather than another Latin-script language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import opencc

from ledgerdesk.search.analysis import to_simplified

LANGUAGES: tuple[str, ...] = ("zh-Hans", "zh-Hant", "en", "other")

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff]")
_LATIN_WORD = re.compile(r"[A-Za-zÀ-ɏḀ-ỿ]+(?:'[A-Za-zÀ-ɏḀ-ỿ]+)?")  # with accents
_OTHER_LETTER = re.compile(r"[\u0400-\u04ff\u0600-\u06ff\u0e00-\u0e7f\u0590-\u05ff\u0900-\u097f]")

# Words frequent in English support messages and rare as words of other Latin-script languages.
_EN_WORDS = frozenset(
    """the a an is are was were be been am i my me we our you your it its this that to of in on
    for with from and or but not no have has had do does did can cant can't cannot could will
    would should please help hi hello thanks thank why what when where how who which there here
    still yet just now any all some after before since again account deposit withdraw withdrawal
    money funds wallet coin order trade fee fees card bank login password code app send sent
    received receive arrived pending stuck wrong lost hacked locked support agent human""".split()
)
# Function words of other Latin-script languages our customers write in.
_OTHER_WORDS = frozenset(
    """el la los las que por para con una del mi mis es está estoy pero cuenta dinero
    le les des est et je ne pas mon ma mes pour avec une compte sur dans
    der die das und ist ich nicht mein meine mit ein eine konto bitte
    il di che non sono per con una mio conta não meu minha está uma obrigado
    ve bir bu ne için hesap paramı para yok ben
    và của tôi không là có được tài khoản tiền
    yang dan saya tidak ini itu akun dengan untuk""".split()
)


@dataclass(frozen=True)
class LanguageGuess:
    language: str
    confidence: float


def detect_language(text: str) -> LanguageGuess:
    """The language of ``text`` with a confidence between 0 and 1."""
    han = _HAN.findall(text)
    kana = len(_KANA.findall(text))
    hangul = len(_HANGUL.findall(text))
    words = [w.lower() for w in _LATIN_WORD.findall(text)]
    other_letters = len(_OTHER_LETTER.findall(text))
    if kana >= 2 or hangul >= 2:
        return LanguageGuess("other", 0.9)
    # Coin and network names are Latin words inside Chinese sentences: weigh Han characters
    # against Latin words, not letters.
    if han and len(han) * 2 >= len(words):
        joined = "".join(han)
        traditional = sum(1 for a, b in zip(joined, to_simplified(joined), strict=True) if a != b)
        simplified_only = _simplified_only(joined)
        share = len(han) / (len(han) + len(words))
        if traditional > simplified_only:
            return LanguageGuess("zh-Hant", round(min(1.0, 0.6 + 0.1 * traditional) * share, 3))
        # Characters that are the same in both scripts say nothing; with no telling character
        # the simplified script (the larger user base) is the better guess, less sure.
        sure = 0.95 if simplified_only else 0.75
        return LanguageGuess("zh-Hans", round(sure * max(share, 0.5), 3))
    if other_letters > len(words):
        return LanguageGuess("other", 0.9)
    if not words:
        return LanguageGuess("other", 0.3) if text.strip() else LanguageGuess("en", 0.1)
    english = sum(1 for w in words if w in _EN_WORDS)
    foreign = sum(1 for w in words if w in _OTHER_WORDS)
    accents = sum(1 for ch in text if ch in "áéíóúñçãõàèìòùâêîôûäëïöüßğışăđ")
    if foreign + accents > english:
        return LanguageGuess("other", round(min(0.95, 0.5 + 0.1 * (foreign + accents)), 3))
    if english == 0:
        # Codes, coin tickers and order numbers only: English is the fallback of the desk.
        return LanguageGuess("en", 0.4)
    return LanguageGuess("en", round(min(0.99, 0.6 + 0.1 * english), 3))


def _simplified_only(han: str) -> int:
    """How many characters exist only in the simplified script (发, 币, 账; not 面 or 台)."""
    return sum(1 for ch in han if ch in _simplified_set())


@cache
def _simplified_set() -> frozenset[str]:
    path = Path(opencc.__file__).resolve().parent / "dictionary" / "STCharacters.txt"
    found: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        source, _, targets = line.partition("\t")
        if len(source) == 1 and targets and source not in targets.split(" "):
            found.add(source)
    return frozenset(found)
