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
                r"(?:didn'?t|did not|never) (?:make|authori[sz]e|do|request|approve|place) "
                r"(?:this|that|these|the|those|any) "
                r"(?:withdrawals?|transactions?|transfers?|trades?|orders?)",
                r"(?:withdrawals?|transactions?|transfers?|trades?|orders?|logins?) (?:that )?"
                r"(?:i|we) (?:didn'?t|did not|never) "
                r"(?:make|made|place|placed|do|did|authori[sz]ed?|request(?:ed)?|open(?:ed)?)",
                rf"{_FUNDS} (?:are |is )?(?:being|getting) (?:taken|stolen|sold|drained|withdrawn|"
                r"(?:sent|moved|transferred) (?:out|away))",
                r"(?:wasn't|was not|not) me (?:who|that)",
                r"(?:wallet|account|balance) (?:was |got |has been |is )"
                r"(?:emptied|drained|wiped|cleaned out)",
                r"(?:changed|reset|accessed|used|logged into|taken over) by (?:someone|somebody|"
                r"a stranger|a hacker|hackers|another person)",
                r"(?:withdrawals?|transfers?|transactions?) to (?:an? )?(?:address|wallet) "
                r"i (?:don'?t|do not|didn'?t|never) (?:know|recogni[sz]e|own)",
                r"new (?:device|ip|phone) (?:logged|signed) in\b.{0,40}"
                r"(?:sold|withdrew|transferred|sent out|took|traded)",
                r"(?:unknown|unrecogni[sz]ed|strange|someone else'?s?) (?:device|ip|location)"
                r"\b.{0,40}(?:sold|withdrew|transferred|sent out|took|traded|bought)",
                rf"{_FUNDS} (?:are |is |were |was )?(?:all )?(?:gone|missing|taken)\b.{{0,20}}"
                r"\bi (?:didn'?t|did not|never)",
            ),
            _zh(
                r"被盗",
                r"盗号",
                r"被黑",
                r"(?:黑客|骇客)(?:盗|偷|登录|登陆|转走|提走|进|入侵|控制)",
                r"被人(?:登录|登陆|登入|盗|转走|提走|提现|提币|改|修改|换|动|盗用|用了|解绑)",
                r"有人登(?:录|陆|入)?了?我的?(?:号|账号|账户)",
                r"陌生人(?:登录|登陆|登入|进)",
                r"(?:陌生|不明|未知)(?:的)?(?:提币|提现|转账|转出)",
                r"(?:全没了|不见了|没了|少了).{0,12}(?:我)?(?:什么都没|没有|没)(?:操作|动过|动)",
                r"(?:什么都没|没有|没)(?:操作|动过)[^，。]{0,12}(?:全没了|不见了|没了|少了)",
                r"有人(?:在|正在|一直在|把|偷偷)?(?:提|盗|偷|转|转走|提走|登录|登陆|动|卖)了?(?:我|我的)",
                rf"{_COINS_ZH}(?:正在|一直|在|都|全|全部)?被(?:偷|盗|转走|提走|划走|卖了|卖掉|人提|人转|人卖)",
                r"有人(?:改|修改|换|动|解绑)了?我的?(?:邮箱|手机|密码|谷歌|google|2fa|验证|绑定|安全)",
                r"(?:我没|我没有|不是我)(?:下|挂|开)的?单",
                r"有人把我的?(?:绑定的?)?(?:邮箱|手机|密码|谷歌|google|2fa|验证|安全)"
                r"[^，。,.!?！？]{0,6}(?:改|换|解绑|删)",
                r"不是我(?:本人)?(?:操作|提的|提现|提币|登录|登陆|转的|干的|下的单)",
                r"(?:非本人|未授权|没授权)(?:的)?(?:操作|提现|提币|登录|登陆|交易|转账)",
                r"盗刷",
                r"(?:陌生|不明|未知|不认识的?)(?:设备|ip|地点|手机).{0,12}"
                r"(?:卖了|卖掉|卖光|提走|提了|提币|提现|转走|转了|买了|下单|下了单|交易了)",
            ),
        ),
    ),
    (
        "asked_for_person",
        (
            _en(
                r"(?:real|live|actual|human) (?:person|human|agent|people|operator|being)",
                r"(?:live|human) support",
                rf"(?:talk|speak|chat|connect|transfer|put|get) (?:me )?(?:to|with|through to) "
                rf"(?:a |an |the |your |some |real |live |human )*{_PERSON}",
                r"(?:want|need|give me|get me|let me talk to|request) (?:a |an |to talk to a |"
                r"to speak to a |to speak with a )?(?:real |live |human )?"
                r"(?:human|person|agent|operator|representative)",
                r"(?:agent|human|operator|representative|person|supervisor|manager)[ ,!.]*"
                r"(?:please|pls|plz|now)",
                r"(?:talk|speak|chat) (?:to|with) (?:a |an |the |your )?"
                r"(?:support|supervisor|manager|support team|team lead)",
                r"(?:don'?t|do not) want (?:to (?:talk|chat|speak) (?:to|with) )?"
                r"(?:a |the |this |your )?(?:bot|robot|ai|machine)",
                r"(?:can|could|please|pls) (?:someone |somebody |a person |an agent |you )?"
                r"(?:call|phone|ring) me",
                r"(?:request|want|need|get|arrange|schedule) (?:a )?call ?back",
                r"^(?:agent|human|operator|representative|live agent|real person)[ ?!.]*$",
                r"not (?:a |an )?(?:bot|robot|ai|machine)",
                r"(?:stop|no more) (?:the )?(?:bot|robot)",
                r"contact (?:a |an |your )?(?:human|person|agent|staff|customer service)",
                r"(?:is|are) (?:there|you) (?:a |an |any )?(?:real |actual |live )?"
                r"(?:humans?|person|people|agents?|someone|somebody|staff)"
                r"(?: (?:i|we) (?:can|could) (?:talk|speak|chat))?(?: (?:to|with))?"
                r"(?: here| there)?$",
                r"(?:human|person|agent|someone|somebody) (?:i|we) (?:can|could) "
                r"(?:talk|speak|chat)",
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
                r"(?:让|叫|请)(?:个|一个)?(?:客服|人工|工作人员|真人)\S{0,4}(?:跟我|和我|给我)"
                r"(?:说话|聊|对话|回复|打电话)",
                r"(?:有|有没有)(?:真)?(?:人|客服|工作人员)(?:可以|能)?(?:跟我|和我)?(?:聊|说话|对话|沟通)",
                r"(?:转接|转给|转到|接)(?:专人|专员|人员)|找专人|专人(?:处理|服务|客服)",
                r"转(?:接)?(?:客服|真人)",
                r"叫(?:你们)?(?:的)?(?:客服|人工|负责人|领导|经理|主管)(?:出来|来|回复|处理|跟我)",
                r"(?:找|要找|我要)(?:你们)?(?:的)?(?:经理|主管|负责人|领导)",
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
                r"(?:owe|owes) (?:me|us)",
                r"(?:cover|pay for|pay back|compensate) (?:me for )?(?:my|the|our) loss(?:es)?",
                r"(?:you|your (?:platform|exchange|system|company)) (?:need|needs|have|has) to pay",
                r"(?:go|going) to (?:the )?(?:media|press|journalists)",
                r"(?:police|go(?:ing)?) (?:and|to) (?:the )?(?:media|press)",
                r"loss(?:es)? (?:covered|refunded|compensated|reimbursed)",
                r"scam (?:exchange|platform|company)",
                r"(?:you are|you're|ur) (?:a )?(?:scam|scammers)",
                r"(?:you )?(?:must|have to|better) (?:refund|compensate|reimburse|pay me back|"
                r"give me (?:my money )?back)",
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
                r"客诉",
                r"给(?:我)?(?:一个)?说法",
                r"(?:损失|亏损|亏的)[^，。]{0,4}(?:谁|由谁)(?:来)?(?:赔|负责|承担)|谁来赔|谁赔",
                r"你们(?:这是|就是|是|这)(?:诈骗|骗子|黑平台)",
                r"正式(?:提出|提交|提个)?(?:申诉|投诉|客诉)",
                r"退(?:我|给我)(?:的)?(?:手续费|钱|款)",
                r"(?:检举|举报)你们|去[^，。,.!?！？]{0,6}(?:检举|举报)",
                r"(?:必须|一定要|马上|立刻|立即)(?:给我)?(?:赔|退钱|退款|退给我|还钱|还给我|返还|退还)",
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
                r"unlock (?:my |the )?(?:frozen |locked )?(?:funds|assets|balance|money|coins)",
                r"merge (?:my |the )?(?:two |2 |both )?accounts",
                r"unblock (?:my )?(?:account|funds)",
                # Not "lift the hold": the security hold runs its course (an article says so).
                r"lift (?:the |my )?(?:restrictions?|freeze|ban)",
                r"(?:lift|remove|take off|drop) (?:the |my |this )?(?:account )?"
                r"(?:restrictions?|ban|block|freeze)",
                r"(?:data|information|info) (?:erased|deleted|removed|wiped)",
                r"(?:delete|erase|remove|wipe) (?:all )?(?:of )?(?:my )?(?:personal )?"
                r"(?:data|account|information|info|details|records)",
                r"close (?:my|this) account",
                r"gdpr",
                r"right to (?:be forgotten|erasure)",
            ),
            _zh(
                r"(?:撤销|取消|撤回|撤|退回|拦截)[^，。,.!?！？了]{0,8}(?:提现|提币|转账|出金)",
                r"(?:提现|提币|转账)(?:能|可以|怎么|如何|帮我)?(?:撤销|取消|撤回|退回)",
                r"解冻",
                r"冻结的[^，。,.!?！？]{0,6}(?:解开|解除|放出来|放开)",
                r"合并[^，。,.!?！？]{0,6}(?:账号|账户)|(?:账号|账户)合并",
                r"解除(?:冻结|限制|风控)",
                r"解除(?:我的)?(?:账户|账号)(?:的)?(?:冻结|限制|风控)",
                r"把(?:我的)?(?:账户|账号)?(?:的)?(?:冻结|限制|风控)(?:给我)?(?:解除|解开|去掉)",
                r"冻结[^。]{0,8}(?:帮我|给我|请)(?:解开|解除)",
                r"删除(?:我的)?(?:个人)?(?:数据|账户|账号|信息|资料|记录)",
                r"注销(?:我的)?(?:账户|账号)|(?:账户|账号)[^，。,.!?！？]{0,4}注销",
            ),
        ),
    ),
    (
        "not_covered",
        (
            _en(
                r"staking (?:yields?|rewards?|rates?|apy|apr|returns?|interest|income)",
                r"apy|apr",
                r"(?:earn|make) (?:\w+ )?(?:from |by |with )?staking",
                r"how much (?:can|will|do|would) (?:i|you|we) (?:earn|make)",
                r"savings? (?:products?|plans?)|savings? accounts? with interest|"
                r"(?:do you|you) (?:have|offer) (?:a )?savings?",
                r"(?:earn|pay|get|give) interest",
                r"(?:which|what) (?:coins?|tokens?|cryptos?) "
                r"(?:will|is going to|are going to|gonna) (?:pump|moon|go up|rise|explode|10x)",
                r"good investment",
                r"when (?:moon|lambo|pump)",
                r"options? trading|trade options",
                r"market makers?",
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
                r"copy[ -]?trad\w*",
                r"(?:copy|follow|mirror) (?:other )?(?:traders?|trades|signals?)",
                r"earn (?:products?|programs?)",
                r"(?:fixed|flexible|guaranteed) (?:interest|income|returns?|yields?|savings?|"
                r"terms?|deposits?)",
                r"funding (?:rates?|fees?)",
                r"margin (?:accounts?|loans?|borrowing|lending)",
                r"(?:open|enable|activate|apply for) (?:a |an )?margin",
                r"insurance fund",
                r"(?:crypto |collateral )?loans?",
                r"borrow(?:ing)? (?:crypto|usdt|btc|money|funds|against)",
                r"lending (?:rates?|products?)",
                r"launchpad|launchpool",
                r"trading bots?|grid (?:bots?|trading)",
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
                r"上币|上线(?:新)?币|(?:什么时候|何时)(?:会)?上(?:线|架)?[a-z0-9]",
                r"跟单|带单|复制交易|copy ?trad",
                r"理财产品|固定收益|保本|稳赚|定期存|活期存",
                r"(?:活期|定期|有没有|有什么|有哪些)理财|理财(?:收益|利率|利息|年化|吗)",
                r"涨还是跌|跌还是涨|会不会(?:涨|跌)",
                r"邀请(?:好友|朋友)(?:返|奖励|佣金|送)",
                r"推荐(?:什么|哪个|哪些|点)(?:币|币种|项目)",
                r"杠杆(?:怎么|如何)(?:开|开通|用)",
                r"资金费率|资金费用",
                r"(?:开通|开|申请|开启)杠杆|杠杆账户|借贷|借币|贷款|保证金账户",
                r"(?:风险)?保障基金|保险基金|安全基金",
                r"打新|launchpad|网格(?:交易|机器人)|量化机器人",
                r"适合(?:买|卖|入手|投资|进场|抄底|加仓)",
            ),
        ),
    ),
    (
        # The customer's own account data, which only their account (or a person) can tell.
        "needs_account",
        (
            _en(
                r"how (?:much|many) (?:\w+ ){0,2}(?:do|did) (?:i|we) (?:have|hold|own)(?!\s*to\b)"
                r"(?: left)?(?: in (?:my|the|our) (?:account|wallet))?",
                r"how (?:much|many) (?:\w+ ){0,2}(?:is|are) (?:there )?in my (?:account|wallet)",
                r"(?:what(?:'s|s| is)|tell me) my (?:current )?(?:balance|uid|user id|"
                r"account (?:id|number)|account balance)",
                r"(?:which|what) (?:phone(?: number)?|mobile(?: number)?|number|e-?mail"
                r"(?: address)?) (?:is|was) (?:linked|bound|tied|connected|registered|attached)",
                r"(?:which|what) (?:phone(?: number)?|mobile(?: number)?|e-?mail(?: address)?) "
                r"did i (?:use|register|sign up)",
                r"(?:what(?:'s|s| is)|which) (?:is )?(?:the )?"
                r"(?:e-?mail|phone(?: number)?|uid|user id) "
                r"(?:on|of|for|linked to|registered to) my account",
            ),
            _zh(
                r"(?:查|看|告诉我)(?:一下|下)?我(?:的)?(?:账户|账号|钱包)?(?:里|上)?(?:还)?有多少",
                r"我(?:的)?(?:账户|账号|钱包)(?:里|上)?(?:还)?有多少",
                r"我(?:的)?(?:uid|用户id|账户id|账号id)(?:是)?(?:多少|什么|啥)",
                r"(?:查|看)(?:一下|下)?我的(?:余额|uid)",
                r"我(?:的)?(?:账户|账号|钱包)?(?:的)?余额(?:是|还有|有)?多少",
                r"我(?:注册|绑定)的?(?:是)?(?:哪个|什么)?(?:邮箱|手机|手机号|电话)(?:号|号码)?"
                r"(?:是)?(?:哪个|多少|什么|啥)",
                r"绑定的?(?:是)?(?:哪个|什么|哪一个)?(?:手机|邮箱|电话)(?:号|号码)?(?:是)?(?:哪个|多少|什么|啥)",
            ),
        ),
    ),
    (
        # Past what an article can do: the customer already followed it and a person must act.
        "needs_person",
        (
            _en(
                r"(?:deducted|charged|debited|taken|withdrawn|removed|subtracted) "
                r"(?:from (?:my|the) (?:balance|account) )?(?:twice|two times|2 times|double)",
                r"double (?:charged|deducted|debited|deduction|withdrawal)",
                r"(?:deposit|funds?|coins?|tokens?|crypto|assets?) recover(?:y|ed)?\b.{0,100}"
                r"(?:still|not yet|never|hasn'?t|haven'?t|aren'?t|isn'?t)",
                r"recover(?:y|ed)? (?:request|form|application|ticket)\b.{0,100}"
                r"(?:deposit|funds?|coins?|tokens?)\b.{0,40}"
                r"(?:still|not yet|never|hasn'?t|haven'?t|aren'?t|isn'?t)",
            ),
            _zh(
                r"扣了?(?:两|二|2)次|重复扣|扣了双份|多扣了?一(?:次|笔)",
                r"(?:找回|追回)(?:申请|工单|表单|请求)[^。!?！？]{0,30}(?:还没|没有|仍未|未|一直没)"
                r"(?:回来|到账|到|退回|处理)",
                r"(?:说|答应|承诺|确认)(?:能|可以)(?:找回|追回)[^。!?！？]{0,30}"
                r"(?:还没|没有|仍未|未|一直没)(?:回来|到账|到|退回)",
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


# "If the exchange gets hacked": a question about us, not a compromised account.
_EXCHANGE_HACKED = re.compile(
    r"(?:exchange|platform|you|your (?:site|exchange|platform))(?: ever)? "
    r"(?:gets?|got|is|was|were)? ?(?:being )?hacked|(?:交易所|平台|你们)(?:被黑|被盗|被攻击)"
)


def decide(text: str, intent: str | None = None, intent_confidence: float = 0.0) -> Decision | None:
    """The handover this message requires, or None when the assistant may answer it.

    ``intent``/``intent_confidence``: triage's best intent for the text and how sure it is.
    """
    folded = fold(text)
    for reason, patterns in RULES:
        said = _EXCHANGE_HACKED.sub(" ", folded) if reason == "account_compromised" else folded
        for pattern in patterns:
            found = pattern.search(said)
            if found and not _self_service(reason, found.group(0), folded):
                return Decision(reason, _priority(reason), found.group(0))
    if intent in TRIAGE_INTENTS and intent_confidence >= TRIAGE_MIN_CONFIDENCE:
        reason = TRIAGE_INTENTS[intent]
        return Decision(reason, _priority(reason), f"triage:{intent}")
    return None


# A withdrawal still under review can be cancelled by the customer (withdrawal-pending-review):
# asking how is a question the article answers, not a request only staff can carry out.
_CANCEL = re.compile(r"cancel|取消|撤")
_NOT_SENT_YET = re.compile(r"under review|in review|pending|not (?:yet )?sent|审核|待审|处理中")


def _self_service(reason: str, matched: str, folded: str) -> bool:
    return (
        reason == "staff_only"
        and bool(_CANCEL.search(matched))
        and bool(_NOT_SENT_YET.search(folded))
    )


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


# Lost or broken second factor: the portal's self-service reset answers it (account_security).
_LOST_2FA = re.compile(
    r"\b(?:lost|lose|broke|broken|reset|new phone|changed (?:my )?phone|no access to)\b.{0,40}"
    r"\b(?:2fa|two[- ]factor|authenticator|google auth\w*)\b|"
    r"\b(?:2fa|two[- ]factor|authenticator)\b.{0,30}\b(?:lost|reset|not working|gone)\b|"
    r"(?:丢失|丢了|换了手机|重置|找不到|删除了|无法使用).{0,12}(?:谷歌验证|google验证|身份验证器|二次验证|2fa|验证器)|"
    r"(?:谷歌验证|google验证|身份验证器|二次验证|2fa|验证器).{0,12}(?:丢失|丢了|重置|没了|不能用|无法使用)"
)


def lost_two_factor(text: str) -> bool:
    """Whether ``text`` says the customer lost (or must reset) their 2FA."""
    return bool(_LOST_2FA.search(fold(text)))
