"""Passwords and one-time codes the user typed next to the word for them.

Only the value is redacted (``密码是[…]``), and only when there is a value: "I forgot my
password", "密码错误" and "验证码收不到" mention a credential without giving one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Chinese names may touch the value ("密码Abc123"); English ones must end at a word boundary
# ("password-guessing" and "security_hold_password_reset" are not passwords).
_PASSWORD_WORDS_ZH = (
    r"登录密码|登陆密码|登錄密碼|资金密码|資金密碼|交易密码|交易密碼|支付密码|支付密碼|"  # noqa: S105
    r"钱包密码|錢包密碼|邮箱密码|郵箱密碼|新密码|新密碼|旧密码|舊密碼|密码|密碼|口令"
)
_PASSWORD_WORDS_EN = (
    r"passwords?|passwd|passcode|pass\s*word|pwd|pass|p/w|pw|pin(?:\s*code)?|mima|mi\s*ma|"  # noqa: S105
    r"(?:re)?set\s+it|changed?\s+it"
)
_PASSWORD_WORDS = (
    rf"(?:{_PASSWORD_WORDS_ZH})|(?<![A-Za-z0-9_/\-])(?:{_PASSWORD_WORDS_EN})(?![A-Za-z_\-])"
)
_CODE_WORDS = (
    r"谷歌验证码|谷歌驗證碼|google\s*验证码|短信验证码|簡訊驗證碼|短信驗證碼|邮箱验证码|郵箱驗證碼|"
    r"手机验证码|手機驗證碼|验证码|驗證碼|动态码|動態碼|校验码|校驗碼|安全码|安全碼|"
    r"2fa(?:\s*code)?|two[- ]factor(?:\s*code)?|otp(?:\s*code)?|"
    r"one[- ]time\s*(?:code|password|pin)|"
    r"verification\s*code|auth(?:enticator|entication)?\s*code|google\s*auth(?:enticator)?(?:\s*code)?|"
    r"(?:sms|email|e-mail|text|security|login|withdrawal|google|gauth|ga)\s*code|"
    r"yanzhengma|yan\s*zheng\s*ma|谷歌|google"
)
# "is", "=", ":" and their Chinese forms; "my password is …", "密码是…", "密码：…", "password to
# …", and up to three words before them ("the password I set was …").
_SEP = (
    r"(?:\s*(?:(?:is|was|are|=|:|to|是|为|為|改成|改为|改為|设为|設為|设成)\s*)+"
    r"|(?:\s+[A-Za-z']+){1,3}\s+(?:is|was|to)\s+|(?:\s+[A-Za-z']+){1,4}\s*:\s*)"
)
_QUOTES = "\"'“”‘’「」『』`"

_PASSWORD_RE = re.compile(
    rf"(?P<word>{_PASSWORD_WORDS})(?P<sep>{_SEP}|\s+|)"
    rf"(?:[{_QUOTES}](?P<quoted>[^{_QUOTES}\n]{{1,64}})[{_QUOTES}]"
    rf"|(?P<value>[^\s,.;:/()\[\]{{}}<>{_QUOTES}][!-+\--~]{{3,63}}))",
    re.IGNORECASE,
)
_CODE_RE = re.compile(
    rf"(?<![A-Za-z0-9])(?:{_CODE_WORDS})(?:{_SEP}|\s*)(?P<value>\d(?:[ -]?\d){{3,7}})(?!\d|[.,]\d)",
    re.IGNORECASE,
)
# A credential word somewhere before on the same line makes a nearby value a credential too:
# "验证码，我收到的是203790", "my authenticator shows 496059", "可能是winter7!!也可能是Adm1n#5568".
_NEAR_PASSWORD = re.compile(_PASSWORD_WORDS, re.IGNORECASE)
# Symbols that make a token read as a password ("Qaz123!@#"); apostrophes, hyphens, dots and
# slashes do not (can't, e-mail, help.p, /help/articles).
_PASSWORD_SYMBOLS = frozenset("!@#$%^&*+=~?<>|")
_NEAR_CODE = re.compile(
    rf"(?<![A-Za-z])(?:{_CODE_WORDS}|authenticator|验证器|驗證器|短信|簡訊|sms|2fa|otp|"
    r"verification|code|验证|驗證|digits|数字|數字|位数|位數)(?![A-Za-z])",
    re.IGNORECASE,
)
_CODE_AFTER = re.compile(r"^\s*(?:by|via|from|in)?\s*(?:sms|text|短信|簡訊|email)", re.IGNORECASE)
_NUMBER_RE = re.compile(
    r"(?<![A-Za-z0-9/.\-#*_+$])(\d{4,8}|\d{3}[ -]\d{3})(?![A-Za-z0-9/:%*_\-]|\.\d)"
)
# A number that is one group of a longer one (+852 7721 7387, 4111 1111 1111 1111).
_GROUPED_BEFORE = re.compile(r"\d[ -]$")
_GROUPED_AFTER = re.compile(r"^[ -]\d")
_TOKEN_RE = re.compile(r"(?<![!-+\--~])[!-+\--~]{6,64}(?![!-+\--~])")
# Configuration lines: DB_PASSWORD=…, "password": "…", export WALLET_PASS='…'.
_ENV_PASSWORD = re.compile(
    r"(?i)(?:^|[\s{,])\"?(?:export\s+)?[A-Za-z0-9_]*(?:password|passwd|pwd|passphrase|_pass)\"?"
    r"\s*[=:]\s*[\"']?(?P<value>[^\s\"',]{4,128})"
)
# "user@example.com / Passw0rd!" and "email: … password …" pairs.
_LOGIN_PAIR = re.compile(
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+(?:\s*(?:/|\||:|\s-\s)\s*|\s+)(?P<value>[!-+\--~]{6,64})"
)
# Numbers and tokens right after these are identifiers, not credentials.
_IDENTIFIER_BEFORE = re.compile(
    r"(?:(?:error|err|errno|status|response|http|返回|错误|錯誤|报错|報錯|出错|出錯)\s*"
    r"(?:code|码|碼|代码|代碼|号|號)?|\"code\"\s*[:=]\s*\"?|code\s*=\s*|"
    r"order|订单|訂單|uid|\bid|账号|帳號|账户|帳戶|account|acct|memo|tag|"
    r"amount|金额|金額|phone|手机|手機|电话|電話|address|地址|tx|hash|哈希|编号|編號|no\.|#|"
    r"ticket|工单|工單|block|区块|區塊)[\s:：#号號是为為(（\[【]{0,4}$",
    re.IGNORECASE,
)
_UNIT_AFTER = re.compile(
    r"^\s*(?:usdt|usdc|btc|eth|trx|bnb|sol|u\b|元|块|塊|个|個|次|分钟|分鐘|小时|小時|天|"
    r"min|mins|minutes|hours|hrs|days|%|美元|人民币|人民幣|rmb|cny|usd|年|月|日)",
    re.IGNORECASE,
)
_NEAR_CHARS = 48
# "交易密码忘了又想起来了，是738698": digits given after 是/is once a password was named.
_DIGIT_VALUE = re.compile(r"(?:是|为|為|\bis|=)\s*(\d{6,12})(?![\d.,]\d|[A-Za-z%])")
# What follows "password is"/"密码是" when the user describes the password, not gives it.
_NOT_A_VALUE = frozenset(
    """wrong incorrect correct invalid expired right ok okay not too reset changed forgotten
    forgot lost locked required needed needs need being still same empty blank missing
    rejected accepted working broken fine good bad weak strong long short the my your a an
    and or to for from of in on at with without this that it is was were be been when if but
    because please help error failed failing change update updated new old set sent reset.
    correct. wrong. incorrect. invalid. expired. protected secure safe saved manager hint
    verification recovery field box page screen""".split()
)
_TRAILING = ".,;:!?)]}>。，；：！？）】」』\"'“”‘’`*_~"


# Error words between a code word and the digits make them the app's error code.
_ERROR_WORDS = re.compile(r"error|err\b|errno|错误|錯誤|报错|報錯|出错|出錯", re.I)
_ALNUM = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
# A run of letters and digits this long is an identifier (hash, address, base58, order id),
# never a code with its name glued on ("2fa123456" is 9 long).
_LONG_RUN = 16
_BRACKETS = {"(": ")", "（": "）", "[": "]", "【": "】", "<": ">", "〔": "〕"}


@dataclass(frozen=True)
class CredentialFinding:
    kind: str
    start: int
    end: int


def _looks_like_password(value: str, explicit: bool) -> bool:
    if value.lower() in _NOT_A_VALUE or "'" in value or "’" in value:
        return False
    if explicit:
        return True
    has_digit = any(ch.isdigit() for ch in value)
    has_alpha = any(ch.isalpha() for ch in value)
    has_symbol = any(ch in _PASSWORD_SYMBOLS for ch in value)
    mixed_case = any(ch.isupper() for ch in value[1:]) and any(ch.islower() for ch in value)
    return (has_digit and (has_alpha or len(value) >= 6)) or has_symbol or mixed_case


def _line_before(text: str, start: int) -> str:
    line_start = text.rfind("\n", 0, start) + 1
    return text[max(line_start, start - _NEAR_CHARS) : start]


def _strong_password(token: str) -> bool:
    """A token that reads as a password by itself: letters with digits, or password symbols."""
    if "://" in token or "/" in token or "'" in token or token.lower().startswith(("0x", "www.")):
        return False
    if "@" in token[1:-1] and "." in token.rsplit("@", 1)[-1]:
        return False  # an e-mail address
    if token.isalnum() and len(token) >= 26:
        return False  # an address, hash or id: passwords that long are not all letters and digits
    letters = any(ch.isalpha() for ch in token)
    digits = any(ch.isdigit() for ch in token)
    symbols = any(ch in _PASSWORD_SYMBOLS for ch in token)
    return (letters and digits) or (symbols and (letters or digits))


def find_credentials(text: str) -> list[CredentialFinding]:
    """Passwords and one-time codes in ``text`` (already in the detection form)."""
    found: list[CredentialFinding] = []
    password_words = _NEAR_PASSWORD.search(text) is not None
    if password_words:
        for match in _PASSWORD_RE.finditer(text):
            if match.group("quoted") is not None:
                start, end = match.span("quoted")
                quoted = match.group("quoted").strip()
                direct = match.group("sep").strip().lower() in ("", ":", "=", "is", "是", "为")
                if quoted.lower() in _NOT_A_VALUE or not _looks_like_password(quoted, direct):
                    continue
                found.append(CredentialFinding("password", start, end))
                continue
            value = match.group("value")
            start = match.start("value")
            stripped = value.rstrip(_TRAILING) or value
            sep = match.group("sep").strip()
            explicit = bool(sep) and all(ch in ":=" for ch in sep)
            if not sep and match.group("word").isascii() and match.group("sep") == "":
                continue  # "passport", "pwned": an English word glued to the value
            if len(stripped) < 4 or not _looks_like_password(stripped, explicit):
                continue
            found.append(CredentialFinding("password", start, start + len(stripped)))
        for match in _TOKEN_RE.finditer(text):
            raw = match.group()
            token = raw.lstrip(_TRAILING)
            offset = match.start() + len(raw) - len(token)
            token = token.rstrip(_TRAILING)
            if len(token) < 6 or not _strong_password(token):
                continue
            before = _line_before(text, offset)
            after = text[offset + len(token) : offset + len(token) + 40].split("\n", 1)[0]
            near = _NEAR_PASSWORD.search(before) or _NEAR_PASSWORD.search(after)
            if near and not _IDENTIFIER_BEFORE.search(before):
                found.append(CredentialFinding("password", offset, offset + len(token)))
    if password_words or "=" in text or ":" in text:
        for match in _ENV_PASSWORD.finditer(text):
            value = match.group("value").rstrip(_TRAILING)
            if len(value) >= 4 and value.lower() not in _NOT_A_VALUE:
                start = match.start("value")
                found.append(CredentialFinding("password", start, start + len(value)))
    if "@" in text:
        for match in _LOGIN_PAIR.finditer(text):
            value = match.group("value").rstrip(_TRAILING)
            if _looks_like_password(value, False) and _strong_password(value):
                start = match.start("value")
                found.append(CredentialFinding("password", start, start + len(value)))
    if password_words:
        for match in _DIGIT_VALUE.finditer(text):
            before = _line_before(text, match.start())
            if _NEAR_PASSWORD.search(before) and not _IDENTIFIER_BEFORE.search(before):
                found.append(CredentialFinding("password", *match.span(1)))
    for match in _CODE_RE.finditer(text):
        if _ERROR_WORDS.search(text, match.start(), match.start("value")):
            continue  # "2FA error: 100006", "谷歌验证码报错 100006": the app's error code
        found.append(CredentialFinding("otp_code", match.start("value"), match.end("value")))
    if _NEAR_CODE.search(text):
        for match in _NUMBER_RE.finditer(text):
            digits = match.group(1).replace(" ", "").replace("-", "")
            if len(digits) == 4 and 1990 <= int(digits) <= 2099:
                continue  # a year
            before = _line_before(text, match.start())
            after = text[match.end() : match.end() + 16]
            if _IDENTIFIER_BEFORE.search(before) or _UNIT_AFTER.match(after):
                continue
            if _GROUPED_BEFORE.search(before) or _GROUPED_AFTER.match(after):
                continue
            cues = [m.group().lower() for m in _NEAR_CODE.finditer(before)]
            if cues and all(cue == "code" for cue in cues) and len(digits) != 6:
                continue  # "code: 50113" is an error code; one-time codes have six digits
            if cues or _CODE_AFTER.match(after):
                found.append(CredentialFinding("otp_code", *match.span(1)))
    return [f for f in found if _standalone(text, f)]


def _standalone(text: str, finding: CredentialFinding) -> bool:
    """False for a "code" or "password" that is really part of something longer: digits inside
    a transaction hash, an address or a base58 string (``…92fa1578…`` is not "2FA 1578"), or an
    error code the app showed in brackets ("2FA … (100006)", "错误（100006）")."""
    start, end = finding.start, finding.end
    run_start, run_end = start, end
    while run_start > 0 and text[run_start - 1] in _ALNUM:
        run_start -= 1
    while run_end < len(text) and text[run_end] in _ALNUM:
        run_end += 1
    if (run_start, run_end) != (start, end) and run_end - run_start >= _LONG_RUN:
        return False
    if finding.kind != "otp_code":
        return True
    before = text[max(0, start - 2) : start].rstrip(" ")[-1:]
    after = text[end : end + 2].lstrip(" ")[:1]
    return not (before and after and _BRACKETS.get(before) == after)
