"""English demo lines for the funds intents; see ``content_en`` for the rest."""

from __future__ import annotations

from typing import Final

INTENTS: Final[dict[str, tuple[dict[str, tuple[str, ...]], ...]]] = {
    "deposit_missing": (
        {
            "subjects": (
                "Deposit not credited",
                "{asset} deposit missing after {hours} hours",
                "deposit not showing",
            ),
            "openings": (
                (
                    "Hi, I sent {amount} {asset} to my deposit address over {network} about "
                    "{hours} hours ago and it still isn't in my balance. TxID: {txid}\nThe "
                    "explorer says it's confirmed. Can you check please?"
                ),
                (
                    "deposit not showing?? sent {amount} {asset} like {minutes} mins ago, tx is "
                    "{txid}"
                ),
                (
                    "gm, recieved nothing yet from my {network} deposit. explorer says success. "
                    "wen credit ser"
                ),
            ),
            "replies": (
                (
                    "Hi {name},\n\nThanks for the details. I've looked up {txid}: the transaction "
                    "is on chain but has not yet reached the {confirmations} confirmations we "
                    "need on {network}. Deposits are credited automatically once that number is "
                    "reached, so there's nothing you need to do.\n\n{agent}"
                ),
                (
                    "Hi {name}, thanks for your patience. {network} is congested at the moment "
                    "and our node is a few blocks behind. Your deposit is detected and will be "
                    "credited once it reaches {confirmations} confirmations. I'm keeping this "
                    "ticket open until it lands."
                ),
            ),
            "resolutions": (
                (
                    "Hi {name}, your deposit of {amount} {asset} has now been credited to your "
                    "spot wallet. Sorry for the delay, and thanks for bearing with us."
                ),
                (
                    "Hi {name}, the funds are credited. The deposit is tradable now and becomes "
                    "withdrawable after {confirmations} confirmations, which should be within the "
                    "hour."
                ),
            ),
            "followups": (
                "ok thanks, explorer shows more confirmations now, I'll wait",
                "still not there. it's been {hours} hours now",
            ),
            "notes": (
                (
                    "Explorer: {txid} on {network}, still below our confirmation threshold. "
                    "Nothing to do but wait."
                ),
                (
                    "{network} node was lagging this morning per the wallet status channel; "
                    "should resolve by itself."
                ),
            ),
        },
        {
            "subjects": (
                "Where is my {amount} {asset} deposit?",
                "Deposit from another exchange not received",
            ),
            "openings": (
                (
                    "Hello,\n\nI made a deposit of {amount} {asset} from another exchange. The "
                    "other exchange shows the withdrawal as completed but nothing arrived on my "
                    "side. My UID is {uid}.\n\nPlease help, I need these funds to cover a "
                    "position.\n\nThanks,\n{name}"
                ),
                (
                    "This is the second time I'm writing. {amount} {asset}, {hours} hours, still "
                    "nothing. Where is my money?"
                ),
                (
                    "sent from my other exchange account 2 hours ago and nothing. are deposits "
                    "even working???"
                ),
            ),
            "replies": (
                (
                    "Hello {name}, sorry for the wait. To trace this deposit I need four things: "
                    "the network you selected when sending, the TxID (transaction hash), the "
                    "sending address and the exact amount. Please don't send screenshots of your "
                    "recovery phrase or any passwords — we will never need them."
                ),
            ),
            "resolutions": (
                (
                    "Hi {name}, thanks for the details. Our deposit scanner had missed your "
                    "transaction; the wallet team credited {amount} {asset} by hand just now. "
                    "Sorry for the trouble."
                ),
            ),
            "followups": (
                (
                    "Here's everything: txid {txid}, network {network}, amount {amount} {asset}, "
                    "sent from {address}."
                ),
                (
                    "Screenshot of the withdrawal record from the other exchange is attached. The "
                    "TxID is {txid}."
                ),
            ),
            "notes": (
                (
                    "Explorer: {txid} confirmed on {network}. Deposit scanner missed it — raised "
                    "with wallet ops."
                ),
            ),
        },
        {
            "routes": (
                "USDT/ERC20",
                "USDT/BEP20",
                "ETH/ERC20",
            ),
            "subjects": (
                "Sent {asset} via {network}, balance unchanged",
                "Deposited on the wrong network",
            ),
            "openings": (
                (
                    "I think I messed up. I sent {amount} {asset} to {address} but I picked "
                    "{network} and the deposit page showed a different network. Is my money lost??"
                ),
                (
                    "Sent {amount} {asset} on {network} by mistake, the deposit page said another "
                    "chain. Same 0x address though. Can you get it back? tx {txid}"
                ),
            ),
            "replies": (
                (
                    "Hi {name}, I checked and the transaction was sent on {network}, which is a "
                    "different network from the one of the deposit address you used. Because both "
                    "are EVM networks with the same address format, these deposits can usually be "
                    "recovered, but it goes through our wallet team and a recovery fee may apply. "
                    "I've opened the request and will update you here."
                ),
            ),
            "resolutions": (
                (
                    "Good news, {name}: the wallet team completed the recovery and {amount} "
                    "{asset} is in your account. Next time, please check that the network on the "
                    "withdrawal page matches the one shown on your deposit page.\n\n{agent}"
                ),
            ),
            "followups": (
                "How much is the recovery fee?",
                "ok please go ahead with the recovery",
            ),
            "notes": (
                (
                    "Wrong network, EVM to EVM, same address. Recovery request filed; tell the "
                    "customer about the fee before we process."
                ),
            ),
        },
        {
            "routes": ("XRP/XRP Ledger",),
            "subjects": (
                "{asset} deposit with the wrong tag",
                "Forgot the destination tag",
            ),
            "openings": (
                (
                    "I deposited {amount} {asset} but I think the tag was wrong, I typed {memo} "
                    "and the deposit page shows a different one. tx hash {txid}. Can you still "
                    "find it?"
                ),
                "forgot the destination tag on my {asset} deposit 🤦 {amount} {asset}, tx {txid}",
            ),
            "replies": (
                (
                    "Hi {name}, {asset} deposits need the exact tag (memo) shown on your deposit "
                    "page; without it we can't tell which account a deposit belongs to, so this "
                    "one wasn't credited automatically. The good news is that it can be "
                    "recovered. Please reply with a screenshot of the withdrawal record from the "
                    "sending platform and we'll add it to the memo recovery queue."
                ),
            ),
            "resolutions": (
                (
                    "Hi {name}, the memo recovery is complete and {amount} {asset} has been "
                    "credited. Please always copy the tag from the deposit page together with the "
                    "address."
                ),
            ),
            "followups": (
                "Screenshot attached.",
                "How long does the memo recovery take?",
            ),
            "notes": ("Tag on {txid} matches no account. Using the memo recovery form.",),
        },
    ),
    "withdrawal_delayed": (
        {
            "subjects": (
                "Withdrawal under review — how long?",
                "Where is my withdrawal?",
            ),
            "openings": (
                (
                    "Hello, my withdrawal shows 'Under review'. I need the money for rent by "
                    "Friday, how long will this take?"
                ),
                "withdrawal stuck again. {amount} {asset}. fix pls",
            ),
            "replies": (
                (
                    "Hi {name}, thanks for reaching out. Your withdrawal is in a manual security "
                    "review, which we run on some withdrawals to protect accounts. It usually "
                    "finishes within a few hours and you don't need to do anything. I'll update "
                    "you here as soon as it's released.\n\n{agent}"
                ),
            ),
            "resolutions": (
                (
                    "Good news — the review is complete and {amount} {asset} has been sent. "
                    "Thanks for bearing with us, {name}."
                ),
            ),
            "followups": (
                "It's been another {hours} hours. Nothing.",
                "Can you at least give me an ETA?",
            ),
            "notes": (
                (
                    "Flagged by risk rule (new device + new address). Asked risk to review; "
                    "history looks clean."
                ),
            ),
        },
        {
            "subjects": (
                "Withdrawal on hold after changing my phone",
                "Can't withdraw after security change",
            ),
            "openings": (
                (
                    "I changed my phone number yesterday and now my {asset} withdrawal says it's "
                    "on hold. Is that related?"
                ),
                "why can't I withdraw?? I only updated my 2FA app",
            ),
            "replies": (
                (
                    "Hi {name}, because you changed your security settings recently, withdrawals "
                    "are paused for 24 hours as a protective measure. The hold is automatic and "
                    "support can't lift it early. Your funds are safe in your account and you can "
                    "withdraw as soon as the hold ends."
                ),
            ),
            "resolutions": (
                (
                    "Hi {name}, the security hold has ended and your withdrawal of {amount} "
                    "{asset} has been processed."
                ),
            ),
            "followups": (
                "ok understood about the 24h hold. annoying but fine.",
                "So I just wait and try again tomorrow?",
            ),
            "notes": ("24h security hold after a security change yesterday. Nothing to escalate.",),
        },
        {
            "subjects": (
                "{asset} withdrawal completed but not received",
                "Withdrawal says completed, wallet empty",
            ),
            "openings": (
                (
                    "You have had my {amount} {asset} for {hours} HOURS. The status says "
                    "completed but my wallet received nothing. TxID {txid}. If this isn't sorted "
                    "today I'm taking this further."
                ),
                (
                    "hi, quick question - withdrawal of {amount} {asset} says completed with tx "
                    "{txid} but it's not in my hardware wallet yet. is it on your side or mine?"
                ),
            ),
            "replies": (
                (
                    "Hello {name}, the withdrawal was broadcast with TxID {txid} to {address}. "
                    "It's now waiting for confirmations on {network}, which depends on network "
                    "congestion rather than on us. You can follow it on any {network} block "
                    "explorer with that TxID."
                ),
            ),
            "resolutions": (
                (
                    "Hi {name}, the transaction now has enough confirmations and should show in "
                    "your wallet. Glad it arrived!"
                ),
            ),
            "followups": (
                (
                    "The explorer shows the tx but my wallet balance is the same, could it be the "
                    "wrong address?"
                ),
                "ok I see it on the explorer now",
            ),
            "notes": (
                (
                    "Tx {txid} broadcast and confirming. Customer is probably looking at the "
                    "wrong account in their wallet app."
                ),
            ),
        },
        {
            "subjects": (
                "{asset} withdrawal stuck in processing",
                "Withdrawal pending for hours",
            ),
            "openings": (
                (
                    "I requested a withdrawal of {amount} {asset} to {address} on {network} "
                    "{hours} hours ago and it still says Processing. Normally it takes a few "
                    "minutes. What's going on?"
                ),
            ),
            "replies": (
                (
                    "Hi {name}, sorry for the delay. {network} withdrawals are paused while we "
                    "upgrade our node for a network update. Pending withdrawals will go out "
                    "automatically when it resumes; we expect that within {hours} hours."
                ),
            ),
            "resolutions": (
                (
                    "Hi {name}, {network} is back to normal and your withdrawal went out a few "
                    "minutes ago (TxID {txid}). Let us know if it hasn't arrived within the hour."
                ),
            ),
            "followups": ("Is there an announcement about this somewhere?",),
            "notes": (
                "{network} withdrawals paused for node maintenance. Sent the maintenance macro.",
            ),
        },
    ),
    "withdrawal_failed": (
        {
            "subjects": (
                "Withdrawal failed",
                "Withdrawal rejected - are my funds back?",
            ),
            "openings": (
                (
                    "My withdrawal of {amount} {asset} failed and I don't see the funds back in "
                    "my account. Order {order_id}. Please advise."
                ),
                (
                    "I tried to withdraw {amount} {asset} to {address} via {network}. Status says "
                    "Failed. Was the fee taken? I want it back."
                ),
            ),
            "replies": (
                (
                    "Hi {name}, the withdrawal failed before it was broadcast, so nothing left "
                    "your account: the {amount} {asset} and the network fee have been returned to "
                    "your spot wallet. Could you try again and let me know if you see the same "
                    "error?"
                ),
            ),
            "resolutions": (
                (
                    "Hi {name}, I've confirmed the refund: {amount} {asset} is back in your spot "
                    "wallet, and your second attempt went through."
                ),
            ),
            "followups": (
                "Found the refund. Trying again now.",
                "I tried again and got the same error.",
            ),
            "notes": (
                (
                    "Node error at broadcast; auto-refunded. Checked the ledger entry, refund is "
                    "there."
                ),
            ),
        },
        {
            "routes": (
                "USDT/TRC20",
                "USDT/ERC20",
                "USDT/BEP20",
            ),
            "subjects": ("Can't withdraw {asset}: invalid address",),
            "openings": (
                "keeps saying invalid address when I paste {address}. it's my own wallet!!!",
            ),
            "replies": (
                (
                    "Hello {name}, that address isn't valid for the network you selected. Each "
                    "network has its own address format — TRC20 addresses start with T, ERC20 and "
                    "BEP20 addresses with 0x. Please make sure the network you choose here is the "
                    "one the receiving wallet supports."
                ),
            ),
            "resolutions": ("Great, {name} — glad it went through on the right network.",),
            "followups": ("oh I had the wrong network selected. works now",),
            "notes": ("Address/network mismatch: {network} selected, address from another chain.",),
        },
        {
            "subjects": ("Withdrawal cancelled with no explanation",),
            "openings": (
                "withdrawal cancelled by system?? what does risk control mean, am I banned",
                "My {asset} withdrawal was cancelled twice today. No email, no reason. UID {uid}",
            ),
            "replies": (
                (
                    "Hi {name}, the withdrawal was cancelled by our risk checks because it went "
                    "to a new address right after a login from a new device. Your account isn't "
                    "banned. You can add the address to your whitelist and try again, or reply "
                    "here and I'll ask the team to review it manually."
                ),
            ),
            "resolutions": (
                "Thanks {name}. The manual review is done and the withdrawal has been processed.",
            ),
            "followups": (
                "I added the address to the whitelist, will wait.",
                "Please review it manually, I need it today.",
            ),
            "notes": (
                (
                    "Risk cancel: new device + new address within the hour. Account history "
                    "clean, OK to release on retry."
                ),
            ),
        },
        {
            "routes": ("XRP/XRP Ledger",),
            "subjects": ("Withdrawal to another exchange never arrived",),
            "openings": (
                (
                    "Hello, I withdrew {amount} {asset} to another exchange with tag {memo}. Your "
                    "side says completed, theirs says no deposit. What can I do? Tx {txid}"
                ),
            ),
            "replies": (
                (
                    "Hi {name}, the withdrawal went through on our side (TxID {txid}). If the tag "
                    "was wrong or missing, the receiving platform has to recover it — please "
                    "contact their support with the TxID. If they ask for proof, I can send you a "
                    "confirmation of the transfer."
                ),
            ),
            "resolutions": (
                (
                    "Hi {name}, glad to hear the receiving platform credited it after recovery. "
                    "All sorted!"
                ),
            ),
            "followups": (
                "The other exchange says they need a letter from you confirming the transfer.",
            ),
            "notes": ("Sent transfer confirmation letter for {txid}.",),
        },
    ),
    "fiat_payment": (
        {
            "routes": (
                "USDT/TRC20",
                "BTC/Bitcoin",
                "ETH/ERC20",
            ),
            "subjects": (
                "Card payment charged but no crypto",
                "Charged twice for one purchase",
            ),
            "openings": (
                (
                    "I bought {asset} with my card, my bank charged me {fiat_amount} {currency} "
                    "but I didn't get any crypto."
                ),
                (
                    "Why was I charged twice for one purchase? {fiat_amount} {currency} two "
                    "times, order {order_id}"
                ),
            ),
            "replies": (
                (
                    "Hi {name}, I can see the card payment for order {order_id} was authorised "
                    "but not completed, so no crypto was delivered. Your bank releases the "
                    "authorisation hold automatically, usually within 5–10 business days. You "
                    "weren't charged twice; one of the entries is the pending hold."
                ),
            ),
            "resolutions": (
                (
                    "Hi {name}, the duplicate authorisation has been voided and your bank will "
                    "drop it within a few days. Your retry completed and {amount} {asset} is in "
                    "your spot wallet."
                ),
            ),
            "followups": (
                "My bank says the money already left my account on their side.",
                "ok the hold dropped off, thanks",
            ),
            "notes": (
                (
                    "Payment provider shows authorisation only, no capture. The second line on "
                    "the statement is the hold."
                ),
            ),
        },
        {
            "subjects": (
                "Bank transfer not credited",
                "Top-up without reference",
            ),
            "openings": (
                (
                    "Sent a bank transfer of {fiat_amount} {currency} three days ago with the "
                    "reference code, still nothing in my fiat balance."
                ),
                (
                    "Hi team, I topped up {fiat_amount} {currency} by bank transfer but forgot to "
                    "add the reference. Is it lost?"
                ),
            ),
            "replies": (
                (
                    "Hello {name}, bank transfers are matched by the reference code. Could you "
                    "send the transfer receipt showing amount, date and reference? If the "
                    "reference was missing we can still match it by hand, it just takes a little "
                    "longer."
                ),
            ),
            "resolutions": (
                (
                    "Hi {name}, we matched your transfer by hand and {fiat_amount} {currency} is "
                    "now in your fiat balance."
                ),
            ),
            "followups": (
                "Receipt attached.",
                "Here is the receipt, the bank reference is {order_id}.",
            ),
            "notes": ("Transfer found in the unmatched queue, no reference. Matched by hand.",),
        },
        {
            "subjects": ("Buy with card failed",),
            "openings": (
                "card declined 4 times. my card works everywhere else",
                (
                    "Card keeps getting declined when I try to buy {asset}. Tried two different "
                    "cards."
                ),
            ),
            "replies": (
                (
                    "Hi {name}, declines at this step usually come from the card issuer, and some "
                    "banks block crypto purchases. Please check with your bank or try a bank "
                    "transfer instead. We'll never ask for your full card number or CVV in a "
                    "support conversation."
                ),
            ),
            "resolutions": (
                (
                    "Thanks for checking with your bank, {name}. Since the payment goes through "
                    "now, I'll mark this as solved."
                ),
            ),
            "followups": (
                "Bank says they blocked it as 'high risk merchant'. They unblocked it now.",
            ),
            "notes": ("Issuer decline (do not honour). Nothing on our side.",),
        },
    ),
    "balance_discrepancy": (
        {
            "subjects": (
                "Missing funds in my wallet",
                "My {asset} balance dropped for no reason",
            ),
            "openings": (
                (
                    "My {asset} balance is lower than yesterday and I didn't trade. Where did "
                    "{amount} {asset} go?"
                ),
            ),
            "replies": (
                (
                    "Hi {name}, I went through your account history. Nothing is missing: part of "
                    "your {asset} is in the funding wallet and part in your spot wallet, and the "
                    "overview page shows only spot."
                ),
            ),
            "resolutions": ("Hi {name}, glad that clears it up.",),
            "followups": ("Ok I see it now in funding.",),
            "notes": ("Reconciled the ledger: no loss. Funds sit in the funding wallet.",),
        },
        {
            "subjects": ("Transaction history doesn't match",),
            "openings": ("Transaction history shows a withdrawal I never made??",),
            "replies": (
                (
                    "Hi {name}, I found the entry you mean. It's a transfer to your sub-account, "
                    "not a withdrawal. I'll send you a statement showing both sides."
                ),
            ),
            "resolutions": (
                (
                    "Hi {name}, the statement is in your email. The sub-account was created "
                    "through the API three months ago."
                ),
            ),
            "followups": ("I don't have any sub-account, I never created one.",),
            "notes": ("Sub-account created through the API three months ago; customer forgot.",),
        },
        {
            "subjects": (
                "Balance is wrong",
                "App and website show different totals",
            ),
            "openings": ("the total on the app is different from the website. which is right",),
            "replies": (
                (
                    "Hello {name}, the app converts balances at the live price while the website "
                    "uses a price cached a few minutes earlier, so the totals can differ "
                    "slightly. Your actual holdings are the same in both."
                ),
            ),
            "resolutions": ("Exactly, {name}. Glad that clears it up.",),
            "followups": ("ok, so the coins are the same, just the price. got it",),
            "notes": ("Price cache difference between app and web. No issue.",),
        },
        {
            "subjects": ("Earn balance went down",),
            "openings": (
                "Hi, I had {amount} {asset} in Earn and now it shows less. Did you take fees?",
            ),
            "replies": (
                (
                    "Hi {name}, Earn doesn't charge fees on your principal. I've checked your "
                    "subscription and your {amount} {asset} is all there, so this looks like a "
                    "display problem. I've asked the team to look into it."
                ),
            ),
            "resolutions": (
                (
                    "Hi {name}, we found an error in how Earn balances were displayed. It's fixed "
                    "and your balance shows {amount} {asset} again. Sorry for the confusion."
                ),
            ),
            "followups": ("The numbers still don't add up.",),
            "notes": ("Display bug with Earn balances, known issue.",),
        },
    ),
}
