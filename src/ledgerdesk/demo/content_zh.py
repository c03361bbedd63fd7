"""Chinese demo content (simplified, some traditional), written for ledgerdesk's demo desk.

Per intent, a few scenarios; each has subjects, customers' opening messages, agents' replies
and resolutions, customers' follow-ups and internal notes that belong together, and may limit
the (asset/network) routes it fits. The scenarios live in ``content_zh_funds``,
``content_zh_account`` and ``content_zh_service``; this module joins them and adds the lines any
ticket can use, and the names customers get. ``{placeholders}`` are filled by
``ledgerdesk.demo.services`` from ``ledgerdesk.demo.content.PLACEHOLDERS``.
"""

from __future__ import annotations

from typing import Final

from ledgerdesk.demo import content_zh_account, content_zh_funds, content_zh_service

INTENTS: Final[dict[str, tuple[dict[str, tuple[str, ...]], ...]]] = {
    **content_zh_funds.INTENTS,
    **content_zh_account.INTENTS,
    **content_zh_service.INTENTS,
}

CHASERS: Final[tuple[str, ...]] = (
    "有进展了吗？",
    "在吗？？",
    "还在等……",
    "已经 {hours} 个小时了，有人处理吗？",
    "您好，想跟进一下这个问题",
    "請問處理得怎麼樣了？",
)

NUDGES: Final[tuple[str, ...]] = (
    (
        "您好，想跟进一下，以上方法是否有帮助？如几天内未收到您的回复，工单将标记为已解决，"
        "您随时可以回复重新打开。"
    ),
    "您好，还在等待您提供上面提到的信息，收到后我会尽快为您跟进。",
    "您好，跟进一下上一条消息，如还需要其他帮助请告诉我们。",
)

ESCALATIONS: Final[tuple[str, ...]] = (
    (
        "您好，该问题已转交专项团队调查，可能需要一些时间，有进展我会第一时间在此回复您。\n\n客服 "
        "{agent}"
    ),
    "您好，感谢您的耐心，我们正在等待合作方的答复，工单会保持开启，一有消息就通知您。",
    "您好，该问题需要后台团队进一步核查，我已将您提供的全部信息一并提交，无需重复发送。",
)

ACKNOWLEDGEMENTS: Final[tuple[str, ...]] = (
    "收到，已将您补充的信息记录到工单中，有进展会第一时间在此回复您。",
    "您好，感谢您补充的信息，我已转交负责的同事跟进，稍后给您答复。",
    "明白，我会持续关注这个问题，一有进展就在这里通知您。",
)

HOLD_NOTES: Final[tuple[str, ...]] = (
    "已升级，等待专项团队处理。",
    "等待合作方答复，已设置明日提醒。",
    "等待后台核查，已告知用户。",
)

SURNAMES: Final[tuple[tuple[str, str], ...]] = (
    ("王", "wang"),
    ("李", "li"),
    ("张", "zhang"),
    ("刘", "liu"),
    ("陈", "chen"),
    ("杨", "yang"),
    ("黄", "huang"),
    ("赵", "zhao"),
    ("吴", "wu"),
    ("周", "zhou"),
    ("徐", "xu"),
    ("孙", "sun"),
    ("马", "ma"),
    ("朱", "zhu"),
    ("胡", "hu"),
    ("郭", "guo"),
    ("何", "he"),
    ("高", "gao"),
    ("林", "lin"),
    ("罗", "luo"),
    ("郑", "zheng"),
    ("梁", "liang"),
    ("谢", "xie"),
    ("宋", "song"),
    ("唐", "tang"),
    ("许", "xu"),
    ("韩", "han"),
    ("冯", "feng"),
    ("邓", "deng"),
    ("曹", "cao"),
    ("彭", "peng"),
    ("曾", "zeng"),
    ("肖", "xiao"),
    ("田", "tian"),
    ("董", "dong"),
    ("袁", "yuan"),
    ("潘", "pan"),
    ("蒋", "jiang"),
    ("蔡", "cai"),
    ("余", "yu"),
    ("杜", "du"),
    ("叶", "ye"),
    ("程", "cheng"),
    ("苏", "su"),
    ("魏", "wei"),
    ("吕", "lv"),
    ("丁", "ding"),
    ("沈", "shen"),
)

GIVEN_NAMES: Final[tuple[tuple[str, str], ...]] = (
    ("伟", "wei"),
    ("磊", "lei"),
    ("静", "jing"),
    ("敏", "min"),
    ("强", "qiang"),
    ("洋", "yang"),
    ("婷", "ting"),
    ("杰", "jie"),
    ("涛", "tao"),
    ("超", "chao"),
    ("子涵", "zihan"),
    ("浩然", "haoran"),
    ("欣怡", "xinyi"),
    ("宇轩", "yuxuan"),
    ("思远", "siyuan"),
    ("雨桐", "yutong"),
    ("梓萱", "zixuan"),
    ("俊熙", "junxi"),
    ("佳琪", "jiaqi"),
    ("志强", "zhiqiang"),
    ("海燕", "haiyan"),
    ("建华", "jianhua"),
    ("晓东", "xiaodong"),
    ("丽娜", "lina"),
    ("明辉", "minghui"),
    ("文博", "wenbo"),
    ("诗涵", "shihan"),
    ("天佑", "tianyou"),
    ("一鸣", "yiming"),
    ("嘉怡", "jiayi"),
    ("晨曦", "chenxi"),
    ("鹏飞", "pengfei"),
    ("春梅", "chunmei"),
    ("国庆", "guoqing"),
    ("雪莹", "xueying"),
)

TRADITIONAL_NAMES: Final[tuple[tuple[str, str], ...]] = (
    ("陳嘉豪", "chan.kaho"),
    ("黃詠詩", "wong.wingsze"),
    ("林怡君", "lin.yichun"),
    ("張家瑋", "chang.chiawei"),
    ("劉俊傑", "lau.chunkit"),
    ("吳佩珊", "wu.peishan"),
    ("李志明", "lee.chiming"),
    ("蔡宗翰", "tsai.tsunghan"),
    ("鄭雅婷", "cheng.yating"),
    ("梁曉彤", "leung.hiutung"),
    ("許家銘", "hsu.chiaming"),
    ("周柏宇", "chou.poyu"),
    ("謝欣穎", "hsieh.hsinying"),
    ("何卓賢", "ho.cheukyin"),
    ("楊淑芬", "yang.shufen"),
)
