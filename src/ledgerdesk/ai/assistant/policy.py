"""When the assistant must hand over instead of answering, and how to read a customer's short
answers ("did this solve it?", "shall I lock your account?").

Rules are phrase patterns in English and Chinese, written as customers type them. Chinese is
matched on the simplified fold of the text (``search.analysis.to_simplified``), so one pattern
covers both scripts. Triage's intent adds what the phrases miss, only when it is confident.
The order of ``RULES`` is the order of precedence: a customer whose funds are being taken and
who asks for a person is handled as a compromised account (urgent).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from ledgerdesk.search.analysis import to_simplified

Feedback = Literal["yes", "no"]

# Triage intents that decide a handover on their own when the model is at least this sure.
# Not human_agent: the bundled model gives it to greetings ("hello" 0.99, "在吗" 0.92), which
# are no request for a person; the phrases above catch the real requests.
TRIAGE_INTENTS: dict[str, str] = {
    "account_compromised": "account_compromised",
    "complaint": "complaint",
}
TRIAGE_MIN_CONFIDENCE = 0.9


def fold(text: str) -> str:
    """NFKC, lower case, simplified Chinese, single spaces, curly quotes straightened."""
    value = unicodedata.normalize("NFKC", text).lower().replace("’", "'").replace("‘", "'")
    return " ".join(to_simplified(value).split())


def _en(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(rf"(?:(?<!\w){p}(?!\w))" for p in patterns))


def _zh(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


_ME = r"(?:me|my|mine|our)"
_FUNDS = r"(?:funds?|money|coins?|crypto|btc|bitcoin|eth|usdt|usdc|assets?|balance|tokens?)"
_WHO = r"(?:someone|somebody|some ?one|a hacker|hackers?|a scammer|scammers?|they|stranger)"
_PERSON = (
    r"(?:human|humans|person|people|agent|agents|operator|representative|rep|staff|"
    r"someone|somebody|customer (?:service|support)|support (?:team|staff|agent)|live support)"
)
_COINS_ZH = r"(?:币|钱|资金|资产|usdt|btc|eth|余额)"

RULES: tuple[tuple[str, tuple[re.Pattern[str], ...]], ...] = (
    (
        "account_compromised",
        (
            _en(
                r"hacked",
                r"compromised",
                r"stolen",
                r"stole",
                rf"steal(?:ing|s)? {_ME}",
                r"drain(?:ed|ing)",
                rf"{_WHO} (?:is |are |has |have |just )?"
                r"(?:withdraw(?:ing|n|s)?|withdrew|taking|took|"
                r"transferr?(?:ing|ed)|mov(?:ing|ed)|sen(?:ding|t)|logg?(?:ing|ed) in(?:to)?|"
                rf"access(?:ing|ed)|using|changed) {_ME}",
                rf"{_WHO} (?:is |has )?(?:in|inside|into) {_ME} account",
                r"unauthori[sz]ed (?:withdrawals?|logins?|access|transactions?|transfers?|trades?)",
                r"(?:didn't|did not|never) (?:make|authori[sz]e|do|request|approve) "
                r"(?:this|that|these|the|those|any) "
                r"(?:withdrawals?|transactions?|transfers?|trades?)",
                r"(?:wasn't|was not|not) me (?:who|that)",
                rf"{_FUNDS} (?:are |is |were |was )?(?:gone|missing|taken) (?:and|but) i "
                r"(?:didn't|did not|never)",
            ),
            _zh(
                r"被盗",
                r"盗号",
                r"被黑",
                r"黑客(?:盗|偷|登录|登陆|转走|提走|进了|入侵)",
                r"被人(?:登录|登陆|盗|转走|提走|提现|提币)",
                r"有人(?:在|正在|一直在|把|偷偷)?(?:提|盗|偷|转|转走|提走|登录|登陆|动|卖)了?(?:我|我的)",
                rf"{_COINS_ZH}被(?:偷|盗|转走|提走|人提|人转|划走)",
                r"不是我(?:本人)?(?:操作|提的|提现|提币|登录|登陆|转的|干的|下的单)",
                r"(?:非本人|未授权|没授权)(?:的)?(?:操作|提现|提币|登录|登陆|交易|转账)",
                r"盗刷",
            ),
        ),
    ),
    (
        "asked_for_person",
        (
            _en(
                r"(?:real|live|actual|human) (?:person|human|agent|people|support|operator|being)",
                rf"(?:talk|speak|chat|connect|transfer|put|get) (?:me )?(?:to|with|through to) "
                rf"(?:a |an |the |your |some |real |live |human )*{_PERSON}",
                r"(?:want|need|give me|get me|let me talk to|request) (?:a |an |to talk to a |"
                r"to speak to a |to speak with a )?(?:real |live |human )?"
                r"(?:human|person|agent|operator|representative)",
                r"(?:agent|human|operator|representative|person)[ ,!.]*(?:please|pls|plz|now)",
                r"^(?:agent|human|operator|representative|live agent|real person)[ ?!.]*$",
                r"not (?:a |an )?(?:bot|robot|ai|machine)",
                r"(?:stop|no more) (?:the )?(?:bot|robot)",
                r"contact (?:a |an |your )?(?:human|person|agent|staff|customer service)",
            ),
            _zh(
                r"转人工",
                r"人工(?!智能)",
                r"找客服",
                r"真人",
                r"活人",
                r"转接客服",
                r"客服(?:在吗|呢|人员)",
                r"(?:要|找|叫|联系|给我)(?:个|一个|真正的)?(?:客服|工作人员|人)(?:来|处理|回复|$)",
                r"不要机器人",
                r"别用机器人",
            ),
        ),
    ),
    (
        "complaint",
        (
            _en(
                r"complain(?:t|ts|ing|ed)?",
                r"compensat\w*",
                r"lawyers?",
                r"attorneys?",
                r"sue",
                r"suing",
                r"lawsuit",
                r"legal action",
                r"(?:take|taking) (?:you|this) to court",
                r"court",
                r"ombudsman",
                r"regulators?",
                r"reimburs\w*",
                r"(?:demand|want) (?:a |my )?(?:refund|my money back)",
                r"report (?:you|this exchange|your exchange) to",
                r"small claims",
            ),
            _zh(
                r"投诉",
                r"赔偿",
                r"索赔",
                r"补偿",
                r"赔我",
                r"律师",
                r"起诉",
                r"诉讼",
                r"法院",
                r"打官司",
                r"法律(?:途径|手段|责任|程序)",
                r"维权",
                r"监管(?:部门|机构)",
                r"证监会",
                r"消协|消费者协会",
                r"曝光你们",
            ),
        ),
    ),
    (
        "staff_only",
        (
            _en(
                r"(?:cancel|reverse|revert|undo|recall|stop|retract|roll back|pull back) "
                r"(?:my |the |this |that |a |an |last |latest )*(?:pending )?"
                r"(?:withdrawals?|withdraw|transfers?|transactions?|payouts?)",
                r"un-?freeze",
                r"unblock (?:my )?(?:account|funds)",
                r"lift (?:the |my )?(?:restrictions?|freeze|limits?|ban|hold)",
                r"(?:delete|erase|remove|wipe) (?:all )?(?:of )?(?:my )?(?:personal )?"
                r"(?:data|account|information|info|details|records)",
                r"close (?:my|this) account",
                r"gdpr",
                r"right to (?:be forgotten|erasure)",
                r"(?:change|update|correct|fix|edit) (?:the |my )?(?:kyc|legal name|date of birth|"
                r"birthday|nationality|id number|verified name|name on (?:my|the) account)",
            ),
            _zh(
                r"(?:撤销|取消|撤回|撤|退回|拦截)(?:这笔|那笔|我的|一笔)?(?:提现|提币|转账|出金)",
                r"(?:提现|提币|转账)(?:能|可以|怎么|如何|帮我)?(?:撤销|取消|撤回|退回)",
                r"解冻",
                r"解除(?:冻结|限制|风控)",
                r"删除(?:我的)?(?:个人)?(?:数据|账户|账号|信息|资料|记录)",
                r"注销(?:我的)?(?:账户|账号)",
                r"(?:修改|更改|改一下|改)(?:我的)?(?:实名|kyc|身份证|姓名|名字|出生日期|生日|国籍)",
            ),
        ),
    ),
    (
        "not_covered",
        (
            _en(
                r"staking (?:yields?|rewards?|rates?|apy|apr|returns?|interest|income)",
                r"apy",
                r"(?:earn|savings|yield) (?:products?|programs?|rates?)",
                r"interest rates? (?:on|for) (?:my )?(?:savings|staking|crypto|usdt)",
                r"referral\w*",
                r"affiliate\w*",
                r"rebates?",
                r"commission (?:rate|rates|percentage|share)",
                r"(?:what|which) (?:coins?|cryptos?|tokens?|crypto ?currenc(?:y|ies)) "
                r"(?:should|to|would you|do you|can i) (?:i )?(?:buy|invest|recommend|hold)",
                r"should i (?:buy|sell|invest|hold|short|long)",
                r"(?:investment|financial|trading) (?:advice|tips?|recommendations?|signals?)",
                r"price (?:predictions?|forecasts?|targets?)",
                r"predict\w* (?:the )?price",
                r"(?:will|is|does|do) (?:btc|bitcoin|eth|ethereum|sol|solana|doge|xrp|the price|"
                r"it|this coin|the market|crypto|prices) (?:go(?:ing)? (?:to )?)?"
                r"(?:go up|go down|pump|dump|rise|fall|crash|moon|reach|hit|recover)",
                r"good time to (?:buy|sell|invest)",
                r"worth (?:buying|investing)",
                r"(?:list|listing) (?:my |our |a |new |your )?(?:token|coin|project)",
                r"when will (?:you|the exchange) list",
                r"token listing",
            ),
            _zh(
                r"质押(?:的)?(?:收益|年化|利率|利息|回报|apy|apr)",
                r"(?:理财|活期|定期|储蓄)(?:的)?(?:收益|利率|利息|年化)",
                r"年化(?:收益|多少|是多少)",
                r"返佣",
                r"返利",
                r"推荐(?:奖励|返现|佣金)",
                r"邀请(?:返|奖励|佣金|码)",
                r"佣金比例",
                r"(?:该|应该|可以|值得|建议)?买(?:什么|哪个|哪些|啥)币",
                r"推荐(?:一下|几个|一个|个)?(?:币|币种|项目)",
                r"(?:会|能|还会|还能)(?:涨|跌|暴涨|暴跌|回本|拉盘|砸盘)",
                r"涨到多少|跌到多少|能涨|能跌",
                r"价格预测|行情预测|预测(?:一下)?(?:价格|行情|走势)",
                r"投资建议|理财建议|投资意见",
                r"(?:值得|值不值得|要不要|该不该|能不能)(?:买|卖|入手|抄底|投资|梭哈|加仓)",
                r"抄底|喊单|带单",
                r"上币|上线(?:新)?币|(?:什么时候|何时)上(?:线)?[a-z0-9]",
            ),
        ),
    ),
)


@dataclass(frozen=True)
class Decision:
    """Hand over for ``reason`` ("urgent" ``priority`` for a compromised account).
    ``matched``: the phrase that decided, or ``triage:<intent>``."""

    reason: str
    priority: str | None
    matched: str


def decide(text: str, intent: str | None = None, intent_confidence: float = 0.0) -> Decision | None:
    """The handover this message requires, or None when the assistant may answer it.

    ``intent``/``intent_confidence``: triage's best intent for the text and how sure it is.
    """
    folded = fold(text)
    for reason, patterns in RULES:
        for pattern in patterns:
            found = pattern.search(folded)
            if found:
                return Decision(reason, _priority(reason), found.group(0))
    if intent in TRIAGE_INTENTS and intent_confidence >= TRIAGE_MIN_CONFIDENCE:
        reason = TRIAGE_INTENTS[intent]
        return Decision(reason, _priority(reason), f"triage:{intent}")
    return None


def _priority(reason: str) -> str | None:
    return "urgent" if reason == "account_compromised" else None


# ---- short answers --------------------------------------------------------------------------

# The widget's and the portal's buttons, per script (SPEC: exact texts); folded for matching.
BUTTONS: dict[str, Feedback] = {
    "Yes, that solved it": "yes",
    "No, I still need help": "no",
    "是的，已解决": "yes",
    "没有，还需要帮助": "no",
    "是的，已解決": "yes",
    "沒有，還需要幫助": "no",
}
_BUTTONS_FOLDED = {fold(k): v for k, v in BUTTONS.items()}

_YES_EN = (
    r"yes|yeah|yep|yup|yes please|y|ok|okay|sure|solved|resolved|it worked|that worked|"
    r"worked|it helped|that helped|helped|thanks|thank you|thx|ty|perfect|great|got it|"
    r"all good|problem solved|fixed|sorted"
)
_NO_EN = (
    r"no|nope|nah|n|not really|not yet|not at all|didn't help|did not help|doesn't help|"
    r"does not help|didn't work|did not work|doesn't work|not working|not solved|"
    r"still not|still no|still doesn't|i still need help|still need help|no it didn't|"
    r"it didn't|unsolved|useless"
)
_YES_ZH = (
    "已经解决了|已经解决|解决了|已解决|是的|是|对的|对|好的|好了|可以了|行了|搞定了|"
    "有用|有帮助|谢谢|感谢|多谢|明白了|懂了|嗯嗯|嗯|收到"
)
_NO_ZH = (
    "还是没解决|还没解决|没解决|还是不行|不管用|没有用|没用|没帮助|没有帮助|没有|不是|不行|"
    "不对|不|没|否|还需要帮助"
)
_LEAD = re.compile(
    rf"^(?:(?P<no>(?:{_NO_EN})\b|(?:{_NO_ZH}))|(?P<yes>(?:{_YES_EN})\b|(?:{_YES_ZH})))"
    r"[\s,，.。!！~、;；:：)）]*"
)


def split_feedback(text: str) -> tuple[Feedback | None, str]:
    """A yes/no answer at the start of ``text`` and what follows it (folded).

    "No, I still need help" → ("no", ""); "no my deposit is still missing" → ("no", "my
    deposit is still missing"); "how do I reset 2FA" → (None, the folded text).
    """
    folded = fold(text).strip(" .!?。！？~")
    if folded in _BUTTONS_FOLDED:
        return _BUTTONS_FOLDED[folded], ""
    found = _LEAD.match(folded)
    if not found:
        return None, folded
    answer: Feedback = "no" if found.group("no") else "yes"
    return answer, folded[found.end() :].strip(" .!?。！？~")


def feedback_of(text: str) -> Feedback | None:
    """The answer to "did this solve it?" in ``text`` ("yes" or "no"), else None."""
    return split_feedback(text)[0]


def says_more(rest: str) -> bool:
    """Whether what follows a yes/no is a message of its own (worth answering)."""
    han = sum(1 for ch in rest if "\u4e00" <= ch <= "\u9fff")
    return han >= 4 or len(re.findall(r"[a-z0-9]+", rest)) >= 3


_CONFIRM = re.compile(
    r"^(?:yes|yeah|yep|y|ok|okay|sure|confirm(?:ed)?|do it|go ahead|please|lock|lock it)\b|"
    r"\block (?:it|my account|the account|now)\b|\bplease lock\b|\bconfirm\w*\b|"
    r"^(?:是|是的|好|好的|可以|确认|锁|锁吧|锁定|请锁定|马上|立即|赶紧|快)|确认锁定|锁定(?:我的)?(?:账户|账号)|"
    r"(?:帮我|马上|立即|赶紧|快)锁"
)
_REFUSE = re.compile(
    r"\b(?:no|nope|don't|do not|dont|not now|wait|cancel|stop)\b|"
    r"不要|别|不用|不需要|先不|等一下|^不|^否"
)


def confirms_lock(text: str) -> bool:
    """Whether ``text`` confirms the offer to lock the account (and does not refuse it)."""
    folded = fold(text)
    return bool(_CONFIRM.search(folded)) and not _REFUSE.search(folded)
