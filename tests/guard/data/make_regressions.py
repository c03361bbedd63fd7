"""Write ``regressions.jsonl``: the guard's mistakes found in review, as a labelled set.

Same line format as ``labelled.jsonl`` (see README.md). Two families from issue 11:

- **Error codes that are not one-time codes.** An app's error code in brackets or after
  错误码 / error code / 报错 / error, next to words like 2FA or 验证码, is clean text and must
  survive. One message in eight of a load test ("2FA … (100006)") was redacted and answered
  with the security warning.
- **Hashes and addresses that contain code-like digits.** ``…92fa1578…`` inside a transaction
  hash is not "2FA 1578"; a hash or an address must never be cut.

Each family has messages with a real code or password next to the same words, so that
fixing a false positive cannot hide a lost catch. Deterministic: ``random.Random(SEED)``.

    .venv/bin/python tests/guard/data/make_regressions.py
"""

from __future__ import annotations

import json
import random
from pathlib import Path

SEED = 20261206
OUT = Path(__file__).with_name("regressions.jsonl")
HEX = "0123456789abcdef"
B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

# (lang, text with {code}) — the error code must survive.
ERROR_CODES = [
    ("zh", "开启2FA的时候一直失败，页面提示 ({code})，怎么办"),
    ("zh", "谷歌验证码绑定不上，错误码：{code}"),
    ("zh", "输入验证码后报错 {code}，重试了好几次"),
    ("zh", "2FA 验证失败（{code}），已经同步过手机时间了"),
    ("zh", "手机验证码收不到，APP 显示错误代码 {code}"),
    ("zh", "綁定谷歌驗證器時出錯，錯誤碼 {code}"),
    ("zh", "提币时输入短信验证码，弹出【{code}】然后就卡住了"),
    ("zh", "重置2FA报错{code}，请帮忙看看"),
    ("en", "Enabling 2FA fails with error {code}, what does it mean?"),
    ("en", "When I enter the SMS code the app says error code: {code}"),
    ("en", "2FA setup keeps failing (error {code})"),
    ("en", "Google Authenticator binding shows code: ({code}) every time"),
    ("en", "the verification code screen returns errno {code} after I tap submit"),
    ("en", "OTP login failed [{code}] three times today"),
    ("en", "2FA reset request rejected, error: {code}"),
    ("mixed", "开 2FA 的时候 app 提示 error ({code})，换了手机也一样"),
    ("mixed", "Google 验证码 一直 error {code}，help"),
]
# (lang, text with {code} and {otp}) — the one-time code goes, the error code stays.
ERROR_AND_OTP = [
    ("zh", "报错 {code} 之后我又输了一次验证码 {otp}，还是不行"),
    ("en", "my 2FA code is {otp} but the app answers error ({code})"),
    ("en", "Google Authenticator shows {otp}, and the page says error code {code}"),
    ("zh", "谷歌验证码是{otp}，提示错误码：{code}"),
    ("mixed", "SMS code {otp} 输进去就显示（{code}）"),
]
# (lang, text with {tx} and {addr}) — both must survive whole.
HASHES = [
    ("zh", "充值未到账,交易哈希:{tx},充值地址 {addr}"),
    ("zh", "USDT 充值没到账，2FA 也开了，txid {tx}，地址 {addr}"),
    ("en", "Deposit missing. Tx hash {tx} to my address {addr}, 2FA is on."),
    ("en", "withdrawal stuck: {tx} (to {addr}); the OTP step passed fine"),
    ("mixed", "验证码都输了，withdraw 还是 pending，hash={tx}"),
]
# (lang, text with {tron}) — a base58 address holding code-like digits.
BASE58 = [
    ("zh", "TRC20 地址 {tron} 收不到，验证码那一步没问题"),
    ("en", "my TRON address is {tron}, the 2FA code step worked"),
]
# (lang, text with {otp}) — still caught after the fix.
STILL_CAUGHT = [
    ("zh", "验证码{otp}，快帮我提币"),
    ("en", "2FA:{otp}"),
    ("en", "my google authenticator shows {otp} right now"),
    ("zh", "短信验证码是 {otp}"),
    ("en", "the OTP is {otp}, please log in for me"),
]
PASSWORDS = [
    ("en", "password: {pw} and the app shows error (100006)"),
    ("zh", "登录密码是{pw}，提示错误码 100006"),
]


def hex_with(rng: random.Random, size: int, inner: str) -> str:
    """A random hex string of ``size`` characters with ``inner`` somewhere in the middle."""
    at = rng.randrange(4, size - len(inner) - 4)
    body = [rng.choice(HEX) for _ in range(size)]
    body[at : at + len(inner)] = inner
    return "".join(body)


def tron_with(rng: random.Random, inner: str) -> str:
    body = [rng.choice(B58) for _ in range(33)]
    at = rng.randrange(3, 33 - len(inner) - 3)
    body[at : at + len(inner)] = inner
    return "T" + "".join(body)


def digits(rng: random.Random, n: int) -> str:
    return str(rng.randrange(1, 10)) + "".join(rng.choice("0123456789") for _ in range(n - 1))


def build() -> list[dict[str, object]]:
    rng = random.Random(SEED)
    items: list[dict[str, object]] = []

    def add(lang: str, text: str, kinds: list[str], secrets: list[str], keep: list[str]) -> None:
        items.append({"lang": lang, "text": text, "kinds": kinds, "secrets": secrets, "keep": keep})

    for lang, template in ERROR_CODES:
        code = rng.choice(["100006", "100012", "40013", "20031", "310005", "1578"])
        add(lang, template.format(code=code), [], [], [code])
    for lang, template in ERROR_AND_OTP:
        code, otp = rng.choice(["100006", "100012", "310005"]), digits(rng, 6)
        add(lang, template.format(code=code, otp=otp), ["otp_code"], [otp], [code])
    for lang, template in HASHES:
        inner = rng.choice(["92fa1578", "2fa1578", "otp", "1578", "2fa123456"])
        inner = "".join(ch for ch in inner if ch in HEX) or "1578"
        tx = "0x" + hex_with(rng, 64, inner)
        addr = "0x" + hex_with(rng, 40, "2fa1578")
        text = template.format(tx=tx, addr=addr)
        add(lang, text, [], [], [value for value in (tx, addr) if value in text])
    for lang, template in BASE58:
        tron = tron_with(rng, rng.choice(["2fa1578", "otp123456", "pin8812"]))
        add(lang, template.format(tron=tron), [], [], [tron])
    for lang, template in STILL_CAUGHT:
        otp = digits(rng, 6)
        add(lang, template.format(otp=otp), ["otp_code"], [otp], [])
    for lang, template in PASSWORDS:
        pw = "Tiger" + digits(rng, 3) + "$$"
        add(lang, template.format(pw=pw), ["password"], [pw], ["100006"])
    for number, item in enumerate(items, start=1):
        item["id"] = f"r{number:04d}"
    return [{"id": i["id"], **{k: v for k, v in i.items() if k != "id"}} for i in items]


def main() -> None:
    items = build()
    for item in items:
        text = str(item["text"])
        labels = [*item["secrets"], *item["keep"]]  # type: ignore[misc]
        assert all(label in text for label in labels), item
    lines = [json.dumps(item, ensure_ascii=False) for item in items]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{OUT.name}: {len(items)} messages, {sum(bool(i['kinds']) for i in items)} with secrets")


if __name__ == "__main__":
    main()
