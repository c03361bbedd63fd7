"""The handover rules, the short answers and the script, without a database."""

from __future__ import annotations

import pytest

from ledgerdesk.ai.assistant import policy
from ledgerdesk.ai.assistant.replies import LANGS, say, templates
from ledgerdesk.ai.assistant.script import article_lang, customer_script, in_script
from ledgerdesk.ai.assistant.types import HANDOVER_REASONS

# As customers type them: simplified, traditional, English, typos and all.
HANDOVERS: dict[str, list[str]] = {
    "asked_for_person": [
        "转人工",
        "人工客服",
        "找客服",
        "我要人工",
        "轉人工 謝謝",
        "人工客服在嗎",
        "real person please",
        "agent please",
        "can i talk to a human",
        "I want to speak with a real person not a bot",
        "connect me to customer service",
        "agent",
        "HUMAN!!",
        "are there any humans here",
        "is there someone i could speak with",
        "有没有人可以跟我聊一下",
        "让人工跟我说话",
        "請幫我轉給專人處理",
        "speak to a supervisor",
        "i dont want to talk to a bot",
        "can someone call me",
        "叫你们客服出来处理",
        "我要找你们经理",
    ],
    "account_compromised": [
        "被盗了",
        "我的币被盗了",
        "有人在提我的币",
        "我的账号被黑了",
        "我的帳號被盜了，有人在提我的幣",
        "不是我本人操作的提现",
        "someone is withdrawing my funds",
        "my account was hacked",
        "my btc was stolen",
        "there is an unauthorized withdrawal on my account",
        "I didn't make this withdrawal",
        "somebody logged into my account and changed my email",
        "there are orders i never placed in my account",
        "my usdt is being moved out right now",
        "a new device logged in and withdrew my eth",
        "有人把我的绑定手机换了",
        "有人换了我的手机号",
        "我的币正在被人提走",
        "我沒下的單一直在成交",
        "駭客控制了我的帳戶",
        "my wallet was emptied overnight",
        "my 2fa was changed by someone else",
        "there's a withdrawal to an address i don't recognise",
        "有陌生人登录我的账户",
        "币全没了 我什么都没操作",
        "有人登了我的號",
    ],
    "complaint": [
        "我要投诉",
        "你们必须赔偿我的损失",
        "我已经找了律师",
        "再不处理我就起诉你们",
        "我要投訴，要求賠償",
        "I want compensation for the downtime",
        "my lawyer will contact you",
        "I'm filing a formal complaint",
        "I will sue you",
        "reporting you to the regulator",
        "you have to refund me that fee",
        "必须马上赔给我",
        "我要提出客訴",
        "you owe me for the outage",
        "you are scammers",
        "你们必须给我一个说法",
        "宕机造成的损失谁来赔",
    ],
    "staff_only": [
        "撤销提现",
        "帮我取消提币",
        "请帮我解冻账户",
        "删除我的数据",
        "幫我撤銷提現",
        "請解凍我的帳戶",
        "unfreeze my account",
        "cancel my withdrawal please",
        "please reverse the transfer I just made",
        "delete my personal data",
        "unlock my frozen balance",
        "merge both accounts please",
        "帮我撤回刚才那笔提现",
        "帮我把冻结的币解开",
        "把我的帳號永久註銷",
        "lift my account ban",
        "i want my personal data erased",
        "帮我把风控解除了",
        "請幫我解除帳戶限制",
    ],
    "not_covered": [
        "质押收益是多少",
        "返佣比例多少",
        "推荐返利怎么算",
        "该买什么币",
        "BTC还会涨吗",
        "質押收益多少",
        "現在該買什麼幣",
        "what's the staking yield for eth",
        "what is your referral commission rate",
        "give me investment advice",
        "price prediction for btc next month",
        "will bitcoin go up this week",
        "should i buy solana now",
        "when will you list my token",
        "any copy-trading feature?",
        "what's the funding fee on eth perps",
        "can i get a crypto loan",
        "有网格交易吗",
        "有什么理财产品",
        "你們的資金費率多少",
        "現在適合進場嗎",
        "what's the apr on staking",
        "which coin will pump next",
        "do you offer options trading",
        "有没有活期理财",
        "明天btc涨还是跌",
        "槓桿怎麼開",
    ],
    "needs_account": [
        "what's my current balance",
        "how many eth do i have left",
        "which email is linked to my account",
        "我的uid是什么",
        "查一下我钱包里还有多少usdt",
        "我綁定的手機號是哪個",
        "whats the email on my account",
        "我的账户余额是多少",
        "我註冊的郵箱是哪個",
    ],
    "needs_person": [
        "the withdrawal fee was charged twice",
        "my deposit recovery request was approved but the coins still haven't come back",
        "充值被扣了两次",
        "找回申請通過了但幣一直沒到帳",
    ],
}

# Questions the help center answers: no rule may fire on them.
ANSWERABLE = [
    "how many confirmations does a btc deposit need",
    "my usdt deposit has not arrived",
    "how do I enable 2fa to protect my account from hackers",
    "withdrawal pending for hours",
    "how long does identity verification take",
    "I forgot my password",
    "充值一直没到账怎么办",
    "谷歌验证器丢了怎么重置",
    "提幣一直在審核中",
    "实名认证要多久",
    "人工智能是什么",
    "how do I find the txid of my withdrawal",
    "what are the trading fees",
    # The customer updates verified details in the app (kyc-update-personal-information).
    "change my date of birth on my kyc",
    "我的实名姓名要改一下",
    # Self-service: cancelling a withdrawal still under review (withdrawal-pending-review).
    "how do i cancel a withdrawal that is pending review",
    "审核中的提现可以自己取消吗",
    # An airdrop record, a login alert, leverage: articles answer them.
    "what is this airdrop in my history",
    "帐单里有一笔空投记录",
    "I got a login alert from an unknown device",
    "杠杆越高越容易爆仓吗",
    "my balance looks wrong after the trade",
    # Near misses of the rules above.
    "how many confirmations do i have to wait for",
    "how do i move funds from my earn account to spot",
    "收到陌生设备登录提醒",
    "为什么系统取消了我的提币",
    "我的币被转到旧地址了怎么办",
    "找回密码的邮件一直没收到",
    "password recovery request still not working",
    "logged in on a new device and bought btc but it doesn't show",
    "必须还要上传视频吗",
    "马上退出app重新登录也不行",
    "怎麼檢舉詐騙網站",
    "can i withdraw eur to my savings account",
    "这是诈骗吗",
    "一个叫客服的人加我微信",
    "the scammer tried to call me",
    "how do i lift the withdrawal hold after a password reset",
    "can support lift the hold early",
    "is this real support or a scam",
]


def test_the_exchange_being_hacked_is_no_compromised_account() -> None:
    decision = policy.decide("is my money safe if your exchange gets hacked")
    assert decision is None or decision.reason != "account_compromised"
    decision = policy.decide("交易所被黑了我的币怎么办")
    assert decision is None or decision.reason != "account_compromised"


@pytest.mark.parametrize(
    ("reason", "text"), [(r, t) for r, texts in HANDOVERS.items() for t in texts]
)
def test_every_rule_hands_over_in_both_languages(reason: str, text: str) -> None:
    decision = policy.decide(text)
    assert decision is not None, text
    assert decision.reason == reason, (text, decision)
    assert decision.priority == ("urgent" if reason == "account_compromised" else None)


def test_rules_cover_both_languages_and_scripts() -> None:
    for texts in HANDOVERS.values():
        scripts = {customer_script(t) for t in texts}
        assert scripts == {"en", "zh-Hans", "zh-Hant"}, texts


@pytest.mark.parametrize("text", ANSWERABLE)
def test_answerable_questions_are_not_handed_over(text: str) -> None:
    assert policy.decide(text) is None


def test_compromise_wins_over_asking_for_a_person() -> None:
    decision = policy.decide("someone stole my coins, I want a real person now")
    assert decision is not None and decision.reason == "account_compromised"


def test_triage_intent_decides_only_when_confident() -> None:
    text = "this is the third time I write and nobody cares"
    assert policy.decide(text, "complaint", 0.5) is None
    decision = policy.decide(text, "complaint", 0.97)
    assert decision is not None and decision.reason == "complaint"
    assert decision.matched == "triage:complaint"
    assert policy.decide(text, "deposit_missing", 0.99) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Yes, that solved it", "yes"),
        ("No, I still need help", "no"),
        ("是的，已解决", "yes"),
        ("没有，还需要帮助", "no"),
        ("是的，已解決", "yes"),
        ("沒有，還需要幫助", "no"),
        ("yes", "yes"),
        ("Yep thanks!", "yes"),
        ("解决了 谢谢", "yes"),
        ("no", "no"),
        ("nope, didn't help", "no"),
        ("不行", "no"),
        ("还是没解决", "no"),
        ("how do I reset my 2fa", None),
        ("充值没到账", None),
    ],
)
def test_feedback_of(text: str, expected: str | None) -> None:
    assert policy.feedback_of(text) == expected


def test_a_no_with_a_new_question_keeps_the_question() -> None:
    said, rest = policy.split_feedback("no, my deposit is still not there after 3 hours")
    assert said == "no" and policy.says_more(rest) and "deposit" in rest
    said, rest = policy.split_feedback("No, I still need help")
    assert said == "no" and not policy.says_more(rest)


@pytest.mark.parametrize(
    ("text", "confirms"),
    [
        ("yes", True),
        ("yes, lock my account", True),
        ("please lock it now", True),
        ("确认锁定", True),
        ("好的，马上锁", True),
        ("確認鎖定", True),
        ("no", False),
        ("don't lock it, I just changed my password", False),
        ("不要锁", False),
        ("what does locking do?", False),
    ],
)
def test_lock_confirmation(text: str, confirms: bool) -> None:
    assert policy.confirms_lock(text) is confirms


@pytest.mark.parametrize(
    ("text", "locale", "script"),
    [
        ("my deposit has not arrived", None, "en"),
        ("充值没到账", None, "zh-Hans"),
        ("充值沒到賬", None, "zh-Hant"),
        ("BTC?", "zh-CN", "zh-Hans"),
        ("BTC?", None, "en"),
        ("mi depósito no llegó", "zh-TW", "zh-Hant"),
        ("充值", "zh-TW", "zh-Hant"),
    ],
)
def test_customer_script(text: str, locale: str | None, script: str) -> None:
    assert customer_script(text, locale) == script
    assert article_lang(script) == ("en" if script == "en" else "zh-CN")


def test_traditional_conversion() -> None:
    assert in_script("充值没到账怎么办", "zh-Hant") == "充值沒到賬怎麼辦"
    assert in_script("充值没到账怎么办", "zh-Hans") == "充值没到账怎么办"


def test_templates_exist_in_both_languages_for_every_reason() -> None:
    found = templates()
    for reason in HANDOVER_REASONS:
        assert f"handover_{reason}" in found
    for texts in found.values():
        assert set(texts) == set(LANGS)
        assert customer_script(texts["zh-CN"]) == "zh-Hans"
        assert customer_script(texts["en"]) == "en"
    assert say("citation", "en", title="T", url="/u") == "From our help center: T – /u"
