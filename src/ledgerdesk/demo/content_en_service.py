"""English demo lines for the service intents; see ``content_en`` for the rest."""

from __future__ import annotations

from typing import Final

INTENTS: Final[dict[str, tuple[dict[str, tuple[str, ...]], ...]]] = {
    "trade_issue": (
        {
            "subjects": ("Order not filled",),
            "openings": (
                (
                    "My limit order {order_id} on {pair} has been open for hours even though the "
                    "price went past my limit."
                ),
            ),
            "replies": (
                (
                    "Hi {name}, I checked order {order_id}. The price touched your limit, but "
                    "there wasn't enough volume at that exact price, so the order was only partly "
                    "filled. It stays open until it fills or you cancel it."
                ),
            ),
            "resolutions": ("Hi {name}, the order has now been filled in full.",),
            "followups": ("ok makes sense, thanks",),
            "notes": ("Matching engine logs: partial fill, order book thin at that level.",),
        },
        {
            "subjects": ("Stop loss didn't trigger",),
            "openings": (
                (
                    "Stop loss didn't trigger on {pair} and I lost a lot. The price clearly hit "
                    "my stop."
                ),
            ),
            "replies": (
                (
                    "Hello {name}, your stop was set to trigger on the mark price. The last "
                    "traded price briefly reached your stop level, but the mark price didn't. You "
                    "can pick the trigger price type when placing the order."
                ),
            ),
            "resolutions": (
                (
                    "Thanks for the discussion, {name}. I've passed your feedback about the "
                    "trigger settings to the product team."
                ),
            ),
            "followups": ("Nobody told me about mark price vs last price.",),
            "notes": ("Stop on mark price; working as designed.",),
        },
        {
            "subjects": ("Can't cancel my order",),
            "openings": (
                (
                    "the app froze and I couldn't cancel order {order_id} in time. I want "
                    "compensation"
                ),
            ),
            "replies": (
                (
                    "Hi {name}, sorry about that. I've asked our engineers to check the app logs "
                    "for that time. Could you tell me roughly when it happened and which device "
                    "you were using?"
                ),
            ),
            "resolutions": (
                (
                    "Hi {name}, our engineers confirmed an app outage at that time, and we've "
                    "credited {credit} USDT to your account as compensation."
                ),
            ),
            "followups": ("The app was frozen, I have a screen recording.",),
            "notes": (
                "Confirmed app outage for about {minutes} minutes, compensation approved by lead.",
            ),
        },
        {
            "subjects": ("Limit order executed at a bad price",),
            "openings": (
                (
                    "Bought {pair} at market and got a much worse price than displayed. Is this "
                    "normal?"
                ),
            ),
            "replies": (
                (
                    "Hi {name}, market orders fill against the order book, so in a fast or thin "
                    "market the average price can differ from the last price shown. A limit order "
                    "protects you from that."
                ),
            ),
            "resolutions": ("Happy to help, {name}.",),
            "followups": ("ok, will use limit orders from now on",),
            "notes": ("Market order slippage in a fast market. Explained.",),
        },
    ),
    "fees_question": (
        {
            "subjects": ("Why is the withdrawal fee so high?",),
            "openings": (
                (
                    "Why does a {asset} withdrawal on {network} cost so much? Other exchanges "
                    "charge less."
                ),
            ),
            "replies": (
                (
                    "Hi {name}, withdrawal fees cover the network fee we pay to send the "
                    "transaction and are set per network, so some networks cost more than others. "
                    "The fee is always shown before you confirm, so you can pick a cheaper "
                    "network if the receiving side supports it."
                ),
            ),
            "resolutions": ("Hi {name}, hope that helps.",),
            "followups": ("Still think it's too much but ok.",),
            "notes": ("Fee matches the current fee table for {network}.",),
        },
        {
            "subjects": ("Trading fee question",),
            "openings": (
                (
                    "how are trading fees calculated? my order {order_id} charged more than I "
                    "expected"
                ),
            ),
            "replies": (
                (
                    "Hello {name}, trading fees depend on whether your order added liquidity "
                    "(maker) or took it (taker) and on your 30-day volume tier. Order {order_id} "
                    "was filled as a taker, which is why the rate is higher."
                ),
            ),
            "resolutions": (
                (
                    "Hi {name}, yes — a limit order that rests on the book pays the maker fee. "
                    "Glad it's clear now."
                ),
            ),
            "followups": ("So if I use a limit order I pay the maker fee?",),
            "notes": ("Taker fill, fee correct.",),
        },
        {
            "subjects": ("Was I charged a fee twice?",),
            "openings": ("I see two fee entries for one withdrawal. Charged twice?",),
            "replies": (
                (
                    "Hi {name}, the two entries are the withdrawal amount and the fee, shown as "
                    "separate lines. You were charged only once."
                ),
            ),
            "resolutions": ("Thanks {name}, glad it's clear now.",),
            "followups": ("Ah ok I see.",),
            "notes": ("Two ledger lines: amount and fee. No double charge.",),
        },
        {
            "subjects": ("How do I get a lower fee tier?",),
            "openings": ("I trade a lot, how do I get a better fee rate?",),
            "replies": (
                (
                    "Hi {name}, fee tiers are based on your 30-day trading volume and are updated "
                    "daily. You can see your current tier and the next one on the Fees page."
                ),
            ),
            "resolutions": (
                (
                    "Hi {name}, your 30-day volume now qualifies for the next tier and the lower "
                    "rate is active."
                ),
            ),
            "followups": ("Where can I see the fee table?",),
            "notes": ("Customer close to the next volume tier, mentioned it.",),
        },
    ),
    "p2p_dispute": (
        {
            "subjects": (
                "P2P seller not releasing",
                "P2P order appeal",
            ),
            "openings": (
                (
                    "I paid {fiat_amount} {currency} for P2P order {order_id} and the seller "
                    "isn't releasing the {asset}. It's been {minutes} minutes."
                ),
            ),
            "replies": (
                (
                    "Hi {name}, first please message the counterparty in the order chat. If they "
                    "don't answer within the payment window, you can file an appeal from the "
                    "order page. While the appeal is open the crypto stays locked in escrow, so "
                    "neither side can move it."
                ),
            ),
            "resolutions": (
                (
                    "Hi {name}, the appeal was decided in your favour and the {asset} has been "
                    "released to you."
                ),
            ),
            "followups": (
                "Seller is not answering in the chat.",
                "I've uploaded the bank statement to the appeal.",
            ),
            "notes": (
                (
                    "Appeal opened. Buyer proof: bank transfer receipt, name matches. Seller "
                    "unresponsive for {hours} hours."
                ),
            ),
        },
        {
            "subjects": ("Buyer marked paid but didn't pay",),
            "openings": (
                (
                    "buyer clicked paid but nothing arrived in my bank. order {order_id}. dont "
                    "release right?"
                ),
            ),
            "replies": (
                (
                    "Hello {name}, don't release the crypto until you see in your own banking app "
                    "that the money has arrived, from an account in the buyer's verified name. A "
                    "screenshot from the buyer is not proof of payment."
                ),
            ),
            "resolutions": (
                (
                    "Hi {name}, the buyer's payment never arrived, so the order was cancelled and "
                    "your {amount} {asset} is back in your P2P wallet. The counterparty's account "
                    "has been restricted."
                ),
            ),
            "followups": ("Still nothing in my bank after an hour. I opened an appeal.",),
            "notes": (
                "Buyer could not show a transfer from their own account; cancelling per policy.",
            ),
        },
        {
            "subjects": ("Seller wants payment outside the platform",),
            "openings": (
                (
                    "The seller asked me to cancel the order and pay them outside the platform "
                    "for a better rate. Is that ok?"
                ),
            ),
            "replies": (
                (
                    "Hi {name}, please never trade outside the platform. Once you pay outside the "
                    "order, we can't protect you. Keep all communication in the order chat; we "
                    "use it as evidence in appeals."
                ),
            ),
            "resolutions": ("Thanks {name}, the advertiser has been suspended after review.",),
            "followups": ("Thanks, I reported the seller.",),
            "notes": ("Off-platform solicitation. Advertiser reported to P2P risk.",),
        },
        {
            "subjects": ("Bank account frozen after a P2P trade",),
            "openings": (
                (
                    "My bank account was frozen after a P2P sale. The bank says the incoming "
                    "payment was reported as fraud."
                ),
            ),
            "replies": (
                (
                    "Hi {name}, I'm sorry to hear about your bank account. Please send us the "
                    "letter from your bank. We can give your bank the order records and the "
                    "counterparty's verification details on request."
                ),
            ),
            "resolutions": ("Hi {name}, we've sent the order records to your bank as requested.",),
            "followups": ("Here's the letter from my bank.",),
            "notes": ("Bank freeze case; sent the order records pack.",),
        },
    ),
    "complaint": (
        {
            "subjects": (
                "Formal complaint",
                "Complaint: frozen funds and no answers",
            ),
            "openings": (
                (
                    "I want to file a formal complaint. My withdrawal was held for 9 days and "
                    "nobody gave me a straight answer. I expect compensation for the loss I made "
                    "because I couldn't sell."
                ),
                (
                    "Formal complaint regarding account {uid}: funds frozen since last month "
                    "without explanation. I request a written response."
                ),
            ),
            "replies": (
                (
                    "Dear {name},\n\nThank you for your complaint, which we received today. It is "
                    "registered under this ticket number and handled by our complaints team; your "
                    "contact is {agent}. We will look into every point you raised and send you a "
                    "written decision within our published timeframe, and in any case within two "
                    "months. If we need longer, we will tell you why and when to expect our "
                    "answer.\n\nKind regards,\n{agent}"
                ),
                (
                    "Dear {name}, your complaint has been accepted for review. To help us, please "
                    "send any details you think are relevant — dates, ticket numbers, "
                    "screenshots. You don't need to use a particular form."
                ),
            ),
            "resolutions": (
                (
                    "Dear {name},\n\nWe've finished our investigation and uphold your complaint "
                    "in part. The hold lasted longer than it should have, and we have credited "
                    "{credit} USDT as a goodwill gesture. We don't agree that we are liable for "
                    "market losses, for the reasons set out in the email we sent today. If you "
                    "are not satisfied, you can refer your complaint to the ombudsman or the "
                    "competent authority in your country; the details are in that email.\n\n"
                    "{agent}"
                ),
                (
                    "Dear {name}, our final response is in the letter we emailed today. It "
                    "answers each of your points and explains the remedies available to you if "
                    "you disagree."
                ),
            ),
            "followups": (
                "When will I get the decision?",
                "Attached are the dates and ticket numbers.",
            ),
            "notes": (
                (
                    "Complaint registered. Acknowledged on the day received; decision due within "
                    "our timeframe."
                ),
                (
                    "Customer mentions the regulator. Make sure the final response includes "
                    "remedies and ombudsman details."
                ),
            ),
        },
        {
            "subjects": (
                "Complaint about how my case was handled",
                "I want to file a complaint",
            ),
            "openings": (
                (
                    "This is a complaint about your support agent, who closed my ticket without "
                    "solving anything."
                ),
                (
                    "your service is a joke. 3 tickets, 3 copy-paste answers. I want a manager "
                    "and I want to file a complaint."
                ),
            ),
            "replies": (
                (
                    "Dear {name}, we've received your complaint about how your ticket was "
                    "handled, and I'm sorry our answers didn't help. A team lead is reviewing the "
                    "whole conversation and we will reply in writing with our findings."
                ),
            ),
            "resolutions": (
                (
                    "Dear {name}, the review of your ticket found that it was closed too early. "
                    "We've reopened the original issue with a senior agent and apologise for the "
                    "experience."
                ),
            ),
            "followups": (
                "This is not acceptable, I will contact the regulator.",
                "Ok, waiting for your answer.",
            ),
            "notes": (
                (
                    "Linked tickets reviewed: the answer was right, the communication was not. "
                    "Recommend partial uphold."
                ),
            ),
        },
    ),
    "feedback": (
        {
            "subjects": (
                "Suggestion for the app",
                "Feedback on the new design",
            ),
            "openings": (
                (
                    "Small suggestion: let me set a default network per asset for withdrawals. I "
                    "always pick the same one."
                ),
                "New design is nice but the order book got too small on my phone.",
            ),
            "replies": (
                (
                    "Hi {name}, thanks for taking the time to write this up. I've passed it to "
                    "our product team with your example. I can't promise a date, but requests "
                    "like this do shape the roadmap."
                ),
            ),
            "resolutions": ("Hi {name}, your suggestion is logged with product. Thanks again!",),
            "followups": (
                "Thanks! Any idea when?",
                "Also the font is too small on tablets.",
            ),
            "notes": ("Logged as a feature request.",),
        },
        {
            "subjects": ("Please add dark mode to the website",),
            "openings": ("pls add dark mode on web, my eyes 🥲",),
            "replies": (
                "Hello {name}, thank you for the feedback! I've shared it with the design team.",
            ),
            "resolutions": (
                "Hi {name}, good news: dark mode is now available on the web under Settings.",
            ),
            "followups": ("🙏",),
            "notes": ("Forwarded to design.",),
        },
        {
            "subjects": ("Love the new P2P feature",),
            "openings": (
                (
                    "Just wanted to say the new P2P flow is great, the order chat is much clearer "
                    "now. Good job!"
                ),
            ),
            "replies": (
                "Hi {name}, that's lovely to hear — I'll pass it on to the team that built it.",
            ),
            "resolutions": ("Thanks again, {name}!",),
            "followups": ("👍",),
            "notes": ("Positive feedback shared in the team channel.",),
        },
    ),
    "human_agent": (
        {
            "subjects": (
                "Talk to a human",
                "Live agent please",
                "The chatbot isn't helping",
            ),
            "openings": (
                "human",
                "agent please",
                "I want to talk to a real person, the bot keeps sending me FAQ links",
                (
                    "REAL PERSON PLEASE. I've been going in circles with the bot for {minutes} "
                    "minutes"
                ),
            ),
            "replies": (
                (
                    "Hi {name}, you're now chatting with {agent} from the support team. How can I "
                    "help?"
                ),
                (
                    "Hello {name}, sorry for the wait — I'm {agent} and I'll take it from here. "
                    "What's going on?"
                ),
                (
                    "Hi {name}, thanks for holding. I've read your chat with the assistant. Could "
                    "you tell me a bit more so I can help?"
                ),
            ),
            "resolutions": (
                "Glad we could sort it out, {name}. Have a good day!",
                (
                    "Since I haven't heard back, I'll close this chat for now, {name}. Just open "
                    "a new one if you need us."
                ),
            ),
            "followups": (
                "finally. ok so my deposit isn't showing",
                "It's about my account verification.",
                "never mind, figured it out",
            ),
            "notes": (
                "Handover from bot after three loops on the FAQ.",
                "Customer left the chat.",
            ),
        },
    ),
    "app_bug": (
        {
            "subjects": ("App crashes on startup",),
            "openings": (
                (
                    "App crashes right after the splash screen since the last update. {device}, "
                    "app {app_version}."
                ),
                "app keeps crashing!!! cant check my positions",
            ),
            "replies": (
                (
                    "Hi {name}, thanks for the report. Could you tell me your OS version and "
                    "whether reinstalling the app helps? If you can, a screen recording of the "
                    "crash would help our developers a lot."
                ),
            ),
            "resolutions": (
                (
                    "Hi {name}, the fix is out in the latest version. Please update and let us "
                    "know if it happens again."
                ),
            ),
            "followups": (
                "Reinstalled, same crash.",
                "OS is up to date.",
            ),
            "notes": (
                "Crash on startup, {device}, {app_version}. Linked to the existing bug report.",
            ),
        },
        {
            "subjects": (
                "Chart not loading",
                "Charts blank in the app",
            ),
            "openings": (
                "chart is blank for every pair on {device}",
                "Candles don't load anymore, just an empty chart. App {app_version}.",
            ),
            "replies": (
                (
                    "Hello {name}, we're aware of this issue on {device} with version "
                    "{app_version} and a fix is being tested. In the meantime the website works "
                    "normally."
                ),
            ),
            "resolutions": ("Hi {name}, the new release fixes it. Thanks for your patience.",),
            "followups": ("ok, thanks for the heads up",),
            "notes": ("Known chart issue on {device}; fixed in next build.",),
        },
        {
            "subjects": ("Bug: wrong price in the widget",),
            "openings": ("The home screen widget shows a price for {pair} that is way off.",),
            "replies": (
                (
                    "Hi {name}, thanks for spotting this. The widget refreshes less often than "
                    "the app, so it can lag behind in a fast market, but a big gap means it "
                    "stopped refreshing. Removing and re-adding the widget usually fixes it; I've "
                    "also reported it to the developers."
                ),
            ),
            "resolutions": ("Hi {name}, the widget now refreshes correctly in the new release.",),
            "followups": ("Re-added it, it's fine for now.",),
            "notes": ("Widget caches the price for too long; fixed in next build.",),
        },
        {
            "subjects": ("Push notifications not working",),
            "openings": ("I don't get any push notifications for filled orders anymore.",),
            "replies": (
                (
                    "Hi {name}, please check that notifications are allowed for the app in your "
                    "phone settings and under Settings → Notifications in the app. If both are "
                    "on, reply and I'll raise it with the developers."
                ),
            ),
            "resolutions": (
                (
                    "Hi {name}, thanks for checking. The developers found the cause: a stale push "
                    "token after an OS update. Reinstalling the app fixes it, and the next "
                    "release will refresh it automatically."
                ),
            ),
            "followups": ("Notifications are on in both places.",),
            "notes": ("Push token stale after OS update; reinstall refreshes it.",),
        },
    ),
    "how_to": (
        {
            "subjects": ("How do I find my deposit address?",),
            "openings": ("Where do I find my {asset} deposit address? I can't see it anywhere.",),
            "replies": (
                (
                    "Hi {name}, go to Wallet → Deposit, pick {asset}, then choose the network you "
                    "will send on. The address (and a tag/memo, if that network needs one) is "
                    "shown on that page. Always send on the same network you selected there."
                ),
            ),
            "resolutions": ("Glad you found it, {name}.",),
            "followups": ("Found it, thanks!",),
            "notes": ("Sent the help center link.",),
        },
        {
            "subjects": (
                "question about memo",
                "Do I need a tag for deposits?",
            ),
            "openings": ("Do I need a memo when I deposit {asset}?",),
            "replies": (
                (
                    "Hi {name}, some assets such as XRP, XLM and EOS need a tag or memo so we "
                    "know which account a deposit belongs to. If the deposit page shows one, you "
                    "must enter it on the sending side, otherwise the deposit won't be credited "
                    "automatically."
                ),
            ),
            "resolutions": ("Exactly, {name}: TRC20 deposits need no memo. Happy to help!",),
            "followups": ("Got it, so for USDT on TRC20 no memo?",),
            "notes": ("Explained memo/tag for XRP-style assets.",),
        },
        {
            "subjects": ("How to set an anti-phishing code",),
            "openings": ("How do I set up the anti-phishing code you keep mentioning?",),
            "replies": (
                (
                    "Hello {name}, go to Security → Anti-phishing code and set a word or phrase "
                    "only you know. After that, every genuine email from us contains it. If an "
                    "email claims to be from us and doesn't show your code, it isn't us."
                ),
            ),
            "resolutions": (
                "Yes, you can change it any time in the same place, {name}. Happy to help!",
            ),
            "followups": ("ok and can I change the code later?",),
            "notes": ("Walked the customer through the security page.",),
        },
        {
            "subjects": ("How to transfer from spot to futures?",),
            "openings": ("how to move usdt from spot to futures",),
            "replies": (
                (
                    "Hi {name}, tap Transfer on the Wallet page, choose From: Spot and To: "
                    "Futures, pick the asset and amount. Transfers between your own wallets are "
                    "instant and free."
                ),
            ),
            "resolutions": ("Hope that helps, {name}!",),
            "followups": ("done, thx",),
            "notes": ("New to the platform; walked them through the wallet page.",),
        },
        {
            "subjects": ("How do I whitelist a withdrawal address?",),
            "openings": ("Hi! How do I add an address to the withdrawal whitelist?",),
            "replies": (
                (
                    "Hi {name}, under Security → Withdrawal whitelist tap Add address, enter the "
                    "address and network and confirm with your 2FA. New whitelist entries become "
                    "active after 24 hours."
                ),
            ),
            "resolutions": ("Happy to help, {name}. Have a good one!",),
            "followups": ("And how long until the whitelist is active?",),
            "notes": ("Explained the 24h activation delay for new whitelist entries.",),
        },
    ),
}
