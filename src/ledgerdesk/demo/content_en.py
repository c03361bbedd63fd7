"""English demo content, written for ledgerdesk's demo desk.

Per intent: subjects, customers' opening messages, agents' first replies and resolutions,
customers' follow-ups and internal notes. ``{placeholders}`` are filled by
``ledgerdesk.demo.services`` from ``ledgerdesk.demo.content.PLACEHOLDERS``.
"""

from __future__ import annotations

from typing import Final

INTENTS: Final[dict[str, dict[str, tuple[str, ...]]]] = {
    "deposit_missing": {
        "subjects": (
            "Deposit not credited",
            "{asset} deposit missing after {hours} hours",
            "Sent {asset} via {network}, balance unchanged",
            "deposit not showing",
            "Where is my {amount} {asset} deposit?",
        ),
        "openings": (
            (
                "Hi, I sent {amount} {asset} to my deposit address over {network} about {hours} "
                "hours ago and it still isn't in my balance. TxID: {txid}\nThe explorer says it's "
                "confirmed. Can you check please?"
            ),
            "deposit not showing?? sent {amount} {asset} like {minutes} mins ago, tx is {txid}",
            (
                "Hello,\n\nI made a deposit of {amount} {asset} from another exchange. The other "
                "exchange shows the withdrawal as completed but nothing arrived on my side. My "
                "UID is {uid}.\n\nPlease help, I need these funds to cover a position.\n\n"
                "Thanks,\n{name}"
            ),
            (
                "I think I messed up. I sent {amount} {asset} to {address} but I picked {network} "
                "and now I'm not sure that was the right network. Is my money lost??"
            ),
            (
                "This is the second time I'm writing. {amount} {asset}, txid {txid}, {hours} "
                "hours, still nothing. Where is my money?"
            ),
            (
                "I deposited {amount} {asset} but I think the tag was wrong, I typed {memo} and "
                "the deposit page shows a different one. tx hash {txid}. Can you still find it?"
            ),
            (
                "gm, recieved nothing yet from my {network} deposit. explorer says success. wen "
                "credit ser"
            ),
        ),
        "replies": (
            (
                "Hi {name},\n\nThanks for the details. I've looked up {txid}: the transaction is "
                "on chain but has not yet reached the {confirmations} confirmations we need on "
                "{network}. Deposits are credited automatically once that number is reached, so "
                "there's nothing you need to do.\n\n{agent}"
            ),
            (
                "Hello {name}, sorry for the wait. To trace this deposit I need four things: the "
                "network you selected when sending, the TxID (transaction hash), the sending "
                "address and the exact amount. Please don't send screenshots of your recovery "
                "phrase or any passwords — we will never need them."
            ),
            (
                "Hi {name}, I checked and the transaction was sent on {network}, which is a "
                "different network from the one of the deposit address you used. Because both are "
                "EVM networks with the same address format, these deposits can usually be "
                "recovered, but it goes through our wallet team and a recovery fee may apply. "
                "I've opened the request and will update you here."
            ),
            (
                "Hi {name}, thanks for your patience. {network} is congested at the moment and "
                "our node is a few blocks behind. Your deposit is detected and will be credited "
                "once it reaches {confirmations} confirmations. I'm keeping this ticket open "
                "until it lands."
            ),
            (
                "Hi {name}, {asset} deposits need the exact tag (memo) shown on your deposit "
                "page. The tag in your transaction ({memo}) doesn't belong to your account, so "
                "the deposit wasn't credited automatically. The good news is that it's "
                "recoverable. Please reply with a screenshot of the withdrawal record from the "
                "sending platform and we'll add it to the recovery queue."
            ),
        ),
        "resolutions": (
            (
                "Hi {name}, your deposit of {amount} {asset} has now been credited to your spot "
                "wallet. Sorry for the delay, and thanks for bearing with us. I'll mark this as "
                "solved — just reply if anything looks off."
            ),
            (
                "Good news, {name}: the wallet team completed the recovery and {amount} {asset} "
                "is in your account. Next time, please check that the network on the withdrawal "
                "page matches the one shown on your deposit page.\n\n{agent}"
            ),
            (
                "Hi {name}, the funds are credited. The deposit is tradable now and becomes "
                "withdrawable after {confirmations} confirmations, which should be within the "
                "hour."
            ),
        ),
        "followups": (
            (
                "Here's everything again: txid {txid}, network {network}, amount {amount} "
                "{asset}, sent from {address}."
            ),
            "still not there. it's been {hours} hours now",
            "ok thanks, explorer shows more confirmations now, I'll wait",
            "Any update? I really need these funds today.",
            (
                "Screenshot of the withdrawal record from the other exchange is attached. Order "
                "{order_id}."
            ),
        ),
        "notes": (
            (
                "Explorer: {txid} confirmed on {network}. Deposit scanner missed it — raised with "
                "wallet ops."
            ),
            (
                "Wrong network, EVM to EVM, same address. Recovery request filed; tell the "
                "customer about the fee before we process."
            ),
            (
                "Customer chasing again. {network} node was lagging this morning per wallet "
                "status channel; should resolve by itself."
            ),
            "Tag in tx is {memo} and matches no account. Using the memo recovery form.",
        ),
    },
    "withdrawal_delayed": {
        "subjects": (
            "Withdrawal pending for hours",
            "{asset} withdrawal stuck in processing",
            "Where is my withdrawal?",
            "Withdrawal under review — how long?",
        ),
        "openings": (
            (
                "I requested a withdrawal of {amount} {asset} to {address} on {network} {hours} "
                "hours ago and it still says Processing. Normally it takes a few minutes. What's "
                "going on?"
            ),
            "withdrawal stuck again. {amount} {asset}. fix pls",
            (
                "Hello, my withdrawal shows 'Under review'. I changed my phone number yesterday, "
                "is that related? I need the money for rent by Friday."
            ),
            (
                "You have had my {amount} {asset} for {hours} HOURS. The status says completed "
                "but my wallet received nothing. TxID {txid}. If this isn't sorted today I'm "
                "taking this further."
            ),
            (
                "hi, quick question - withdrawal of {amount} {asset} says completed with tx "
                "{txid} but it's not in my hardware wallet yet. is it on your side or mine?"
            ),
        ),
        "replies": (
            (
                "Hi {name}, thanks for reaching out. Your withdrawal is in a manual security "
                "review, which we run on some withdrawals to protect accounts. It usually "
                "finishes within a few hours and you don't need to do anything. I'll update you "
                "here as soon as it's released.\n\n{agent}"
            ),
            (
                "Hello {name}, the withdrawal was broadcast with TxID {txid}. It's now waiting "
                "for confirmations on {network}, which depends on network congestion rather than "
                "on us. You can follow it on any {network} block explorer with that TxID."
            ),
            (
                "Hi {name}, because you changed your security settings recently, withdrawals are "
                "paused for 24 hours as a protective measure. The hold is automatic and support "
                "can't lift it early. Your funds are safe in your account and you can withdraw as "
                "soon as the hold ends."
            ),
            (
                "Hi {name}, sorry for the delay. {network} withdrawals are paused while we "
                "upgrade our node for a network update. Pending withdrawals will go out "
                "automatically when it resumes; we expect that within {hours} hours."
            ),
        ),
        "resolutions": (
            (
                "Hi {name}, your withdrawal has been released and confirmed on chain (TxID {txid})"
                ". It should be in your wallet now."
            ),
            (
                "Good news — the review is complete and {amount} {asset} has been sent. Thanks "
                "for bearing with us, {name}."
            ),
            (
                "Hi {name}, {network} is back to normal and your withdrawal went out a few "
                "minutes ago. Let us know if it hasn't arrived within the hour."
            ),
        ),
        "followups": (
            "It's been another {hours} hours. Nothing.",
            "ok understood about the 24h hold. annoying but fine.",
            (
                "The explorer shows the tx but my wallet balance is the same, could it be the "
                "wrong address?"
            ),
            "Can you at least give me an ETA?",
        ),
        "notes": (
            (
                "Flagged by risk rule (new device + new address). Asked risk to review; history "
                "looks clean."
            ),
            "24h security hold after phone number change yesterday. Nothing to escalate.",
            (
                "Tx {txid} broadcast and confirming. Customer is probably looking at the wrong "
                "account in their wallet app."
            ),
            "{network} withdrawals paused for node maintenance. Sent the maintenance macro.",
        ),
    },
    "withdrawal_failed": {
        "subjects": (
            "Withdrawal failed",
            "Withdrawal rejected - are my funds back?",
            "Can't withdraw {asset}: invalid address",
            "Withdrawal cancelled with no explanation",
        ),
        "openings": (
            (
                "My withdrawal of {amount} {asset} failed and I don't see the funds back in my "
                "account. Order {order_id}. Please advise."
            ),
            "keeps saying invalid address when I paste {address}. it's my own wallet!!!",
            (
                "I tried to withdraw {amount} {asset} to {address} via {network}. Status says "
                "Failed. Was the fee taken? I want it back."
            ),
            (
                "Hello, I withdrew {amount} {asset} to another exchange with tag {memo}. Your "
                "side says completed, theirs says no deposit. What can I do? Tx {txid}"
            ),
            "withdrawal cancelled by system?? what does risk control mean, am I banned",
        ),
        "replies": (
            (
                "Hi {name}, the withdrawal failed before it was broadcast, so nothing left your "
                "account: the {amount} {asset} and the network fee have been returned to your "
                "spot wallet. Could you try again and let me know if you see the same error?"
            ),
            (
                "Hello {name}, that address isn't valid for the network you selected. Each "
                "network has its own address format — TRC20 addresses start with T, ERC20 and "
                "BEP20 addresses with 0x. Please make sure the network you choose here is the one "
                "the receiving wallet supports."
            ),
            (
                "Hi {name}, the withdrawal was cancelled by our risk checks because it went to a "
                "new address right after a login from a new device. Your account isn't banned. "
                "You can add the address to your whitelist and try again, or reply here and I'll "
                "ask the team to review it manually."
            ),
            (
                "Hi {name}, the withdrawal went through on our side (TxID {txid}). If the tag was "
                "wrong or missing, the receiving platform has to recover it — please contact "
                "their support with the TxID. If they ask for proof, I can send you a "
                "confirmation of the transfer."
            ),
        ),
        "resolutions": (
            (
                "Hi {name}, I've confirmed the refund: {amount} {asset} is back in your spot "
                "wallet, and your second attempt went through."
            ),
            "Thanks {name}. The manual review is done and the withdrawal has been processed.",
            (
                "Hi {name}, glad to hear the receiving platform credited it after recovery. All "
                "sorted!"
            ),
        ),
        "followups": (
            "I tried again and got the same error.",
            "So where exactly are my funds right now?",
            "I added the address to the whitelist, will wait.",
            "The other exchange says they need a letter from you confirming the transfer.",
        ),
        "notes": (
            "Node error at broadcast; auto-refunded. Checked the ledger entry, refund is there.",
            "Address/network mismatch: TRON address pasted with ERC20 selected.",
            (
                "Risk cancel: new device + new address within the hour. Account history clean, OK "
                "to release on retry."
            ),
        ),
    },
    "fiat_payment": {
        "subjects": (
            "Card payment charged but no crypto",
            "Bank transfer not credited",
            "Buy with card failed",
            "Charged twice for one purchase",
        ),
        "openings": (
            (
                "I bought {asset} with my card, my bank charged me {fiat_amount} {currency} but I "
                "didn't get any crypto."
            ),
            (
                "Sent a bank transfer of {fiat_amount} {currency} three days ago with the "
                "reference code, still nothing in my fiat balance."
            ),
            "card declined 4 times. my card works everywhere else",
            (
                "Why was I charged twice for one purchase? {fiat_amount} {currency} two times, "
                "order {order_id}"
            ),
            (
                "Hi team, I topped up {fiat_amount} {currency} by bank transfer but forgot to add "
                "the reference. Is it lost?"
            ),
        ),
        "replies": (
            (
                "Hi {name}, I can see the card payment for order {order_id} was authorised but "
                "not completed, so no crypto was delivered. Your bank releases the authorisation "
                "hold automatically, usually within 5–10 business days. You weren't charged "
                "twice; one of the entries is the pending hold."
            ),
            (
                "Hello {name}, bank transfers are matched by the reference code. Could you send "
                "the transfer receipt showing amount, date and reference? If the reference was "
                "missing we can still match it by hand, it just takes a little longer."
            ),
            (
                "Hi {name}, declines at this step usually come from the card issuer, and some "
                "banks block crypto purchases. Please check with your bank or try a bank transfer "
                "instead. We'll never ask for your full card number or CVV in a support "
                "conversation."
            ),
        ),
        "resolutions": (
            (
                "Hi {name}, we matched your transfer by hand and {fiat_amount} {currency} is now "
                "in your fiat balance."
            ),
            (
                "Hi {name}, the purchase completed and {amount} {asset} is in your spot wallet. "
                "The duplicate authorisation was voided; your bank will drop it within a few days."
            ),
            (
                "Thanks for checking with your bank, {name}. Since the payment goes through now, "
                "I'll mark this as solved."
            ),
        ),
        "followups": (
            "Receipt attached. Reference was {order_id}.",
            "My bank says the money already left my account on their side.",
            "ok the hold dropped off, thanks",
        ),
        "notes": (
            (
                "Payment provider shows authorisation only, no capture. The second line on the "
                "statement is the hold."
            ),
            "Transfer found in the unmatched queue, no reference. Matched by hand.",
            "Issuer decline (do not honour). Nothing on our side.",
        ),
    },
    "account_locked": {
        "subjects": (
            "Account locked",
            "My account is frozen",
            "Why is my account restricted?",
            "Locked out after too many attempts",
        ),
        "openings": (
            (
                "My account got locked after I entered the wrong password a few times. How do I "
                "unlock it?"
            ),
            "account frozen with no warning. I have {amount} {asset} in there. explain NOW",
            (
                "Hi, I disabled my account myself with the link in the security email because I "
                "saw a login I didn't recognise. Turns out it was my wife on our laptop. How do I "
                "reactivate it?"
            ),
            (
                "Hello support, I received an email saying my account is restricted pending "
                "review. I haven't done anything unusual. UID {uid}."
            ),
        ),
        "replies": (
            (
                "Hi {name}, for your security the account is locked temporarily after several "
                "failed sign-in attempts. It unlocks automatically after {hours} hours, or you "
                "can unlock it now through 'Forgot password' with access to your email and 2FA."
            ),
            (
                "Hello {name}, I understand this is worrying. The restriction was applied by an "
                "automated review and your funds remain in your account. To lift it we need a "
                "short verification: please complete the ID and face check from the link in the "
                "email we sent. We will never ask for your password or 2FA codes."
            ),
            (
                "Hi {name}, to reactivate an account you disabled yourself we need to confirm "
                "it's really you, so please complete the identity check in the link I just sent. "
                "After reactivation, withdrawals are paused for 24 hours as a precaution."
            ),
            (
                "Hi {name}, the account was restricted for a compliance review. I can't share the "
                "details of the review, but the compliance team has it and I've marked it as "
                "time-sensitive.\n\n{agent}"
            ),
        ),
        "resolutions": (
            (
                "Hi {name}, your account is unlocked. Keep an eye on login alerts, and consider "
                "setting an anti-phishing code in your security settings."
            ),
            (
                "Thanks for completing the verification, {name}. The account is active again; "
                "withdrawals open up after the 24-hour security hold."
            ),
            (
                "Hi {name}, the review has finished and the restriction has been lifted. Sorry "
                "for the trouble."
            ),
        ),
        "followups": (
            "Done, uploaded the selfie.",
            "I can't wait {hours} hours, I have open positions!",
            "Still says locked when I try to log in.",
        ),
        "notes": (
            "Lock reason: failed logins. Auto-unlock pending.",
            (
                "Self-disabled from the email link. The login was from the customer's home IP, "
                "benign."
            ),
            "Compliance restriction — do not tell the customer the reason. Moved to compliance.",
        ),
    },
    "login_problem": {
        "subjects": (
            "Can't log in",
            "Login not working on the app",
            "Verification code email never arrives",
            "Stuck on the login screen",
        ),
        "openings": (
            (
                "I can't log in. The app keeps saying 'something went wrong'. Version "
                "{app_version} on {device}."
            ),
            "email verification code never arrives. checked spam. tried 5 times",
            (
                "Every time I log in it asks me to confirm a new device, and the link in the "
                "email expires before I can click it."
            ),
            "cant login since yesterday, wtf",
            (
                "Hello, when I log in I get 'IP restricted'. I'm travelling at the moment, does "
                "that matter?"
            ),
        ),
        "replies": (
            (
                "Hi {name}, sorry about that. Could you update the app, clear its cache and sign "
                "in again? If it still fails, please send me the exact error and roughly when you "
                "tried, so I can find the attempt in our logs."
            ),
            (
                "Hello {name}, verification emails are sometimes delayed or filtered by the email "
                "provider. Please add our sending address to your contacts and wait a couple of "
                "minutes between requests — every new request cancels the previous code."
            ),
            (
                "Hi {name}, sign-ins from some regions are restricted under our terms of use, and "
                "some VPN exit nodes are blocked. If you use a VPN while travelling, please try "
                "without it."
            ),
        ),
        "resolutions": (
            "Great to hear you're back in, {name}!",
            (
                "Hi {name}, one email provider was rejecting our messages; that's fixed now and "
                "codes should arrive within a minute."
            ),
            (
                "Hi {name}, the fix is in app version {app_version}. After updating you should be "
                "able to sign in normally."
            ),
        ),
        "followups": (
            "Tried all that, still nothing.",
            "It works on the website but the app still fails.",
            "The error says 'session expired' right after I enter the code.",
        ),
        "notes": (
            "Logs show repeated captcha failures. Probably an old app build.",
            "Mail provider bouncing our messages since this morning; infra is on it.",
            "Known app bug on {device}, fix in next release.",
        ),
    },
    "password_reset": {
        "subjects": (
            "Forgot password",
            "Password reset link not working",
            "Reset password without access to my email",
            "Can't withdraw after password reset",
        ),
        "openings": (
            "Forgot my password and the reset link says expired",
            (
                "I need to reset my password but I no longer have access to the email on my "
                "account. What can I do?"
            ),
            "I reset my password and now I can't withdraw anything. Why??",
            "hi i forgot password. pls reset it for me, my email is the one on this ticket",
        ),
        "replies": (
            (
                "Hi {name}, reset links are valid for 30 minutes and only the latest one works. "
                "Please request a new link and use it straight away. For your safety support "
                "can't reset the password for you, and we will never ask for your old or new "
                "password."
            ),
            (
                "Hello {name}, to change the email address on the account we need to verify your "
                "identity: an ID and selfie check, then a manual review. After the change, "
                "withdrawals are held for 48 hours as a security measure."
            ),
            (
                "Hi {name}, after a password reset withdrawals are paused for 24 hours. This "
                "protects you in case someone else reset the password. Your balances and trading "
                "are not affected."
            ),
        ),
        "resolutions": (
            "Hi {name}, glad the new link worked.",
            (
                "Hi {name}, the email change has been approved. Withdrawals will be available "
                "after the 48-hour hold."
            ),
            "Hi {name}, the 24-hour hold has ended and withdrawals work again.",
        ),
        "followups": (
            "New link also expired??",
            "Uploaded my ID, how long does the review take?",
            "ok I'll wait the 24h",
        ),
        "notes": (
            "Email change: ID and liveness passed, waiting for manual review.",
            "Customer clicked an old link; explained that only the latest works.",
            "Customer offered to send their password. Declined and reminded them we never ask.",
        ),
    },
    "two_factor_reset": {
        "subjects": (
            "Lost my phone - need to reset 2FA",
            "Google Authenticator reset",
            "New phone, 2FA codes don't work",
            "2FA reset stuck in review",
        ),
        "openings": (
            (
                "I got a new phone and didn't move Google Authenticator over. Now I can't log in. "
                "Please remove 2FA."
            ),
            "my 2fa codes are always invalid. time on phone is automatic",
            (
                "Hello, I submitted a 2FA reset request {hours} hours ago and it's still in "
                "review. How long does it take?"
            ),
            (
                "Lost my phone at the airport, need a 2FA reset urgently, I have {amount} {asset} "
                "in my account and the market is moving!!!"
            ),
            "Can I just send you the code from my authenticator so you know it's me?",
        ),
        "replies": (
            (
                "Hi {name}, you can start a 2FA reset from the login page under 'Security "
                "verification unavailable'. You'll confirm with your remaining factors (email or "
                "SMS), then complete an ID and face check. Once approved, withdrawals are held "
                "for 48 hours."
            ),
            (
                "Hello {name}, invalid codes usually mean the phone's clock is out of sync. In "
                "Google Authenticator open Settings, then 'Time correction for codes', tap 'Sync "
                "now' and try again."
            ),
            (
                "Hi {name}, your reset request is in the manual review queue. Reviews normally "
                "finish within 1–3 days and I've noted that it's urgent. Please don't submit a "
                "second request, as that puts you back at the end of the queue."
            ),
            (
                "Hi {name}, please don't share 2FA codes with anyone, including us — genuine "
                "support never asks for them. The reset flow is the safe way to prove it's you, "
                "and I'll follow your case from here."
            ),
        ),
        "resolutions": (
            (
                "Hi {name}, your 2FA reset is approved and you can bind your new authenticator. "
                "Withdrawals open again after the 48-hour security hold."
            ),
            "Great, {name} — the time sync fixed it.",
            (
                "Hi {name}, the review is complete and the old 2FA has been removed. Please set "
                "up a new authenticator right away."
            ),
        ),
        "followups": (
            "I don't have the old phone number either",
            "Submitted. Selfie done.",
            "48 hours?? that's ridiculous, it's my own money",
        ),
        "notes": (
            (
                "2FA reset: ID ok, liveness ok, email confirmed. Approved; 48h withdrawal hold "
                "applies."
            ),
            "Customer offered a 2FA code. Declined, policy reminder sent.",
            "Three duplicate reset requests. Closed the older two.",
        ),
    },
    "account_compromised": {
        "subjects": (
            "My account was hacked",
            "Unauthorized withdrawal!!",
            "Someone logged into my account",
            "URGENT - funds stolen",
        ),
        "openings": (
            (
                "SOMEONE WITHDREW {amount} {asset} FROM MY ACCOUNT TO {address}. I DID NOT DO "
                "THIS. LOCK MY ACCOUNT NOW"
            ),
            (
                "I got an email about a login from a device I don't know. I didn't log in. What "
                "should I do?"
            ),
            (
                "My API key was used to place trades I didn't make. Order {order_id}. Please "
                "freeze everything."
            ),
            (
                "I think I got phished. I entered my login on a site that looked exactly like "
                "yours, and an hour later my {asset} was gone. Tx {txid}"
            ),
        ),
        "replies": (
            (
                "Hi {name}, I've locked your account now, so no further logins or withdrawals are "
                "possible. A security specialist will continue with you by email on this ticket. "
                "Please change the password of your email account, and never share passwords, 2FA "
                "codes or your recovery phrase with anyone — including people claiming to be us."
            ),
            (
                "Hello {name}, thank you for reporting this quickly. I've revoked all API keys "
                "and signed out every session on your account. Could you tell us when you last "
                "logged in yourself, whether you installed new browser extensions or software "
                "recently, and whether anyone asked you for remote access to your computer?"
            ),
            (
                "Hi {name}, the withdrawal went to {address} (TxID {txid}). We've flagged the "
                "address with other platforms and our security team is reviewing the case. Please "
                "also file a police report — we can provide the records they need."
            ),
        ),
        "resolutions": (
            (
                "Hi {name}, our investigation is complete and we've sent the findings by email. "
                "The account is secured with a new password and 2FA and is unlocked; withdrawals "
                "open after the 48-hour hold."
            ),
            (
                "Hi {name}, the receiving platform froze part of the funds at our request. The "
                "security team will contact you about the return process."
            ),
            (
                "Hi {name}, the login turned out to be your own new laptop, so no further action "
                "is needed. The account is unlocked."
            ),
        ),
        "followups": (
            "I changed my email password. What now?",
            "Will I get my money back?",
            "I did install a 'wallet helper' extension last week...",
        ),
        "notes": (
            "Account locked on request. Sessions killed, API keys revoked.",
            (
                "Destination {address} linked to a known phishing cluster. Reported to the "
                "receiving exchange."
            ),
            (
                "Credentials entered on a look-alike domain. Recommend anti-phishing code once "
                "restored."
            ),
        ),
    },
    "kyc_verification": {
        "subjects": (
            "Verification rejected",
            "KYC pending for a week",
            "Why do you need my selfie?",
            "Identity verification keeps failing",
        ),
        "openings": (
            "My KYC got rejected but no reason given. I uploaded my passport.",
            "KYC still pending after 5 days. I can't withdraw anything.",
            "Why do you need a video selfie? I already sent my ID. Seems excessive.",
            "my surname has a hyphen and your form won't accept it, so verification keeps failing",
        ),
        "replies": (
            (
                "Hi {name}, the check was rejected because the photo of your passport was cut off "
                "at the edge, so the machine-readable lines couldn't be read. Please retake it on "
                "a flat surface in good light with all four corners visible."
            ),
            (
                "Hello {name}, verification is taking longer than usual because of high volumes. "
                "Your application is in the queue, nothing is missing and no further action is "
                "needed."
            ),
            (
                "Hi {name}, the face check makes sure the person opening the account is the "
                "person on the ID. It protects you against someone using stolen documents in your "
                "name. The images are only used for verification."
            ),
        ),
        "resolutions": (
            "Hi {name}, you're verified! All features are now unlocked.",
            "Hi {name}, we corrected the name by hand and your verification is approved.",
            "Thanks {name}, the new photo passed.",
        ),
        "followups": (
            "Retook the photo and submitted again.",
            "Still pending. Day 6.",
            "Ok fair enough, did the selfie.",
        ),
        "notes": (
            "Document rejected: MRZ cropped. Asked for a retake.",
            "Queue backlog about 4 days. No action.",
            "Special characters in the surname; compliance approved a manual override.",
        ),
    },
    "balance_discrepancy": {
        "subjects": (
            "Balance is wrong",
            "Missing funds in my wallet",
            "Transaction history doesn't match",
            "My {asset} balance dropped for no reason",
        ),
        "openings": (
            (
                "My {asset} balance is lower than yesterday and I didn't trade. Where did "
                "{amount} {asset} go?"
            ),
            "Transaction history shows a withdrawal I never made??",
            "the total on the app is different from the website. which is right",
            "Hi, I had {amount} {asset} in Earn and now it shows less. Did you take fees?",
        ),
        "replies": (
            (
                "Hi {name}, I went through your account history. Nothing is missing: part of your "
                "{asset} is in the funding wallet and part in your spot wallet, and the overview "
                "page shows only spot."
            ),
            (
                "Hello {name}, the app converts balances at the live price while the website uses "
                "a price cached a few minutes earlier, so the totals can differ slightly. Your "
                "actual holdings are the same in both."
            ),
            (
                "Hi {name}, I found the entry you mean. It's a transfer to your sub-account, not "
                "a withdrawal. I'll send you a statement showing both sides."
            ),
        ),
        "resolutions": (
            "Hi {name}, glad that clears it up.",
            (
                "Hi {name}, we found an error in how Earn interest was displayed. It's fixed and "
                "your balance shows {amount} {asset} again. Sorry for the confusion."
            ),
            "Hi {name}, the statement is in your email.",
        ),
        "followups": (
            "I don't have any sub-account, I never created one.",
            "Ok I see it now in funding.",
            "The numbers still don't add up.",
        ),
        "notes": (
            "Reconciled the ledger: no loss. Funds sit in the funding wallet.",
            "Display bug with Earn balances, known issue.",
            "Sub-account created through the API three months ago; customer forgot.",
        ),
    },
    "trade_issue": {
        "subjects": (
            "Order not filled",
            "Limit order executed at a bad price",
            "Stop loss didn't trigger",
            "Can't cancel my order",
        ),
        "openings": (
            (
                "My limit order {order_id} on {pair} has been open for hours even though the "
                "price went past my limit."
            ),
            "Stop loss didn't trigger on {pair} and I lost a lot. The price clearly hit my stop.",
            "the app froze and I couldn't cancel order {order_id} in time. I want compensation",
            "Bought {pair} at market and got a much worse price than displayed. Is this normal?",
        ),
        "replies": (
            (
                "Hi {name}, I checked order {order_id}. The price touched your limit, but there "
                "wasn't enough volume at that exact price, so the order was only partly filled. "
                "It stays open until it fills or you cancel it."
            ),
            (
                "Hello {name}, your stop was set to trigger on the mark price. The last traded "
                "price briefly reached your stop level, but the mark price didn't. You can pick "
                "the trigger price type when placing the order."
            ),
            (
                "Hi {name}, market orders fill against the order book, so in a fast or thin "
                "market the average price can differ from the last price shown. A limit order "
                "protects you from that."
            ),
        ),
        "resolutions": (
            "Hi {name}, the order has now been filled in full.",
            (
                "Hi {name}, our engineers confirmed an app outage at that time, and we've "
                "credited {credit} USDT to your account as compensation."
            ),
            (
                "Thanks for the discussion, {name}. I've passed your feedback about the trigger "
                "settings to the product team."
            ),
        ),
        "followups": (
            "Nobody told me about mark price vs last price.",
            "The app was frozen, I have a screen recording.",
            "ok makes sense, thanks",
        ),
        "notes": (
            "Matching engine logs: partial fill, order book thin at that level.",
            "Confirmed app outage for about {minutes} minutes, compensation approved by lead.",
            "Stop on mark price; working as designed.",
        ),
    },
    "fees_question": {
        "subjects": (
            "Why is the withdrawal fee so high?",
            "Trading fee question",
            "Was I charged a fee twice?",
            "How do I get a lower fee tier?",
        ),
        "openings": (
            (
                "Why does a {asset} withdrawal on {network} cost so much? Other exchanges charge "
                "less."
            ),
            "how are trading fees calculated? my order {order_id} charged more than I expected",
            "I see two fee entries for one withdrawal. Charged twice?",
            "I trade a lot, how do I get a better fee rate?",
        ),
        "replies": (
            (
                "Hi {name}, withdrawal fees cover the network fee we pay to send the transaction "
                "and are set per network. {network} is more expensive than, say, TRC20 or BEP20. "
                "The fee is always shown before you confirm, so you can pick a cheaper network if "
                "the receiving side supports it."
            ),
            (
                "Hello {name}, trading fees depend on whether your order added liquidity (maker) "
                "or took it (taker) and on your 30-day volume tier. Order {order_id} was filled "
                "as a taker, which is why the rate is higher."
            ),
            (
                "Hi {name}, the two entries are the withdrawal amount and the fee, shown as "
                "separate lines. You were charged only once."
            ),
        ),
        "resolutions": (
            "Hi {name}, hope that helps.",
            (
                "Hi {name}, your 30-day volume now qualifies for the next tier and the lower rate "
                "is active."
            ),
            "Thanks {name}, glad it's clear now.",
        ),
        "followups": (
            "So if I use a limit order I pay the maker fee?",
            "Where can I see the fee table?",
            "Still think it's too much but ok.",
        ),
        "notes": (
            "Fee matches the current fee table for {network}.",
            "Taker fill, fee correct.",
            "Customer close to the next volume tier, mentioned it.",
        ),
    },
    "p2p_dispute": {
        "subjects": (
            "P2P seller not releasing",
            "Buyer marked paid but didn't pay",
            "P2P order appeal",
            "Bank account frozen after a P2P trade",
        ),
        "openings": (
            (
                "I paid {fiat_amount} {currency} for P2P order {order_id} and the seller isn't "
                "releasing the {asset}. It's been {minutes} minutes."
            ),
            (
                "buyer clicked paid but nothing arrived in my bank. order {order_id}. dont "
                "release right?"
            ),
            (
                "My bank account was frozen after a P2P sale. The bank says the incoming payment "
                "was reported as fraud."
            ),
            (
                "The seller asked me to cancel the order and pay them outside the platform for a "
                "better rate. Is that ok?"
            ),
        ),
        "replies": (
            (
                "Hi {name}, first please message the counterparty in the order chat. If they "
                "don't answer within the payment window, you can file an appeal from the order "
                "page. While the appeal is open the crypto stays locked in escrow, so neither "
                "side can move it."
            ),
            (
                "Hello {name}, don't release the crypto until you see in your own banking app "
                "that the money has arrived, from an account in the buyer's verified name. A "
                "screenshot from the buyer is not proof of payment."
            ),
            (
                "Hi {name}, please never trade outside the platform. Once you pay outside the "
                "order, we can't protect you. Keep all communication in the order chat; we use it "
                "as evidence in appeals."
            ),
            (
                "Hi {name}, I'm sorry to hear about your bank account. Please send us the letter "
                "from your bank. We can give your bank the order records and the counterparty's "
                "verification details on request."
            ),
        ),
        "resolutions": (
            (
                "Hi {name}, the appeal was decided in your favour and the {asset} has been "
                "released to you."
            ),
            (
                "Hi {name}, the buyer's payment never arrived, so the order was cancelled and "
                "your {amount} {asset} is back in your P2P wallet. The counterparty's account has "
                "been restricted."
            ),
            "Hi {name}, we've sent the order records to your bank as requested.",
        ),
        "followups": (
            "Seller is not answering in the chat.",
            "I've uploaded the bank statement to the appeal.",
            "How long does an appeal take?",
        ),
        "notes": (
            (
                "Appeal opened. Buyer proof: bank transfer receipt, name matches. Seller "
                "unresponsive for {hours} hours."
            ),
            "Buyer's payment came from a third-party account; policy says cancel.",
            "Bank freeze case; sent the order records pack to the customer.",
        ),
    },
    "scam_report": {
        "subjects": (
            "Fake support on Telegram",
            "Someone is pretending to be your staff",
            "Is this email from you?",
            "Scammed by an investment group",
        ),
        "openings": (
            (
                "A Telegram account called 'Official Support' messaged me and asked me to 'verify "
                "my wallet' by typing my recovery phrase on a website. Is this you?"
            ),
            (
                "I got an SMS saying my account will be frozen unless I call a phone number. Is "
                "that real?"
            ),
            (
                "I joined a WhatsApp 'VIP signals' group and sent {amount} {asset} to {address} "
                "for 'guaranteed 30% a month'. Now they want more for 'tax' before I can "
                "withdraw. Help"
            ),
            (
                "Got an email with your logo asking me to move my funds to a 'safe wallet' "
                "{address}. My anti-phishing code isn't in it."
            ),
        ),
        "replies": (
            (
                "Hi {name}, thank you for checking with us — that isn't us. We never contact "
                "users first on Telegram or WhatsApp, and we never ask for your recovery phrase, "
                "password or 2FA codes, or ask you to move funds. Please block and report the "
                "account. You can check any link, email, phone number or Telegram handle with our "
                "official verification tool."
            ),
            (
                "Hello {name}, I'm sorry this happened. Please stop all payments to them: "
                "requests for 'tax' or 'unlock fees' before a withdrawal are a classic sign of "
                "this scam, and paying more won't release anything. Send us the TxIDs and any "
                "chat screenshots; we'll flag the addresses and share the details with law "
                "enforcement on request. We also recommend filing a police report."
            ),
            (
                "Hi {name}, genuine emails from us always contain the anti-phishing code you set. "
                "Since it's missing, treat the message as phishing and don't click anything in "
                "it. We've reported the sending domain."
            ),
        ),
        "resolutions": (
            (
                "Hi {name}, we've added that handle to our list of known impersonators and "
                "reported it to the platform. Thanks for helping keep others safe."
            ),
            (
                "Hi {name}, the address {address} has been flagged and we've passed the case to "
                "the receiving platform. Please give the police our ticket number so they can "
                "request the records."
            ),
            "Thanks again for the report, {name}. The phishing domain has been taken down.",
        ),
        "followups": (
            "Here are the screenshots and the tx hash {txid}.",
            "I already paid the 'tax' once. Is there any way to get it back?",
            "Thanks, I blocked them.",
        ),
        "notes": (
            "Impersonation: Telegram handle added to the verification blocklist.",
            "Address {address} flagged; pig-butchering pattern. Law enforcement pack prepared.",
            "Phishing domain reported to the registrar and browser blocklists.",
        ),
    },
    "complaint": {
        "subjects": (
            "Formal complaint",
            "Complaint about how my case was handled",
            "I want to file a complaint",
            "Complaint: frozen funds and no answers",
        ),
        "openings": (
            (
                "I want to file a formal complaint. My withdrawal was held for 9 days and nobody "
                "gave me a straight answer. I expect compensation for the loss I made because I "
                "couldn't sell."
            ),
            (
                "This is a complaint about your support agent, who closed my ticket without "
                "solving anything."
            ),
            (
                "Formal complaint regarding account {uid}: funds frozen since last month without "
                "explanation. I request a written response."
            ),
            (
                "your service is a joke. 3 tickets, 3 copy-paste answers. I want a manager and I "
                "want to file a complaint."
            ),
        ),
        "replies": (
            (
                "Dear {name},\n\nThank you for your complaint, which we received today. It is "
                "registered under this ticket number and handled by our complaints team; your "
                "contact is {agent}. We will look into every point you raised and send you a "
                "written decision within our published timeframe, and in any case within two "
                "months. If we need longer, we will tell you why and when to expect our answer.\n"
                "\nKind regards,\n{agent}"
            ),
            (
                "Dear {name}, your complaint has been accepted for review. To help us, please "
                "send any details you think are relevant — dates, ticket numbers, screenshots. "
                "You don't need to use a particular form."
            ),
            (
                "Dear {name}, we've received your complaint about how your ticket was handled, "
                "and I'm sorry our answers didn't help. A team lead is reviewing the whole "
                "conversation and we will reply in writing with our findings."
            ),
        ),
        "resolutions": (
            (
                "Dear {name},\n\nWe've finished our investigation and uphold your complaint in "
                "part. The hold lasted longer than it should have, and we have credited {credit} "
                "USDT as a goodwill gesture. We don't agree that we are liable for market losses, "
                "for the reasons set out in the email we sent today. If you are not satisfied, "
                "you can refer your complaint to the ombudsman or the competent authority in your "
                "country; the details are in that email.\n\n{agent}"
            ),
            (
                "Dear {name}, our final response is in the letter we emailed today. It answers "
                "each of your points and explains the remedies available to you if you disagree."
            ),
            (
                "Dear {name}, the review of your ticket found that it was closed too early. We've "
                "reopened the original issue with a senior agent and apologise for the experience."
            ),
        ),
        "followups": (
            "When will I get the decision?",
            "Attached are the dates and ticket numbers.",
            "This is not acceptable, I will contact the regulator.",
        ),
        "notes": (
            (
                "Complaint registered. Acknowledged on the day received; decision due within our "
                "timeframe."
            ),
            (
                "Linked tickets reviewed: hold was correct, communication was not. Recommend "
                "partial uphold."
            ),
            (
                "Customer mentions the regulator. Make sure the final response includes remedies "
                "and ombudsman details."
            ),
        ),
    },
    "feedback": {
        "subjects": (
            "Suggestion for the app",
            "Feedback on the new design",
            "Please add dark mode to the website",
            "Love the new P2P feature",
        ),
        "openings": (
            (
                "Small suggestion: let me set a default network per asset for withdrawals. I "
                "always pick the same one."
            ),
            "New design is nice but the order book got too small on my phone.",
            "pls add dark mode on web, my eyes 🥲",
            (
                "Just wanted to say the new P2P flow is great, the order chat is much clearer "
                "now. Good job!"
            ),
        ),
        "replies": (
            (
                "Hi {name}, thanks for taking the time to write this up. I've passed it to our "
                "product team with your example. I can't promise a date, but requests like this "
                "do shape the roadmap."
            ),
            "Hello {name}, thank you for the feedback! I've shared it with the design team.",
            "Hi {name}, that's lovely to hear — I'll pass it on to the team that built it.",
        ),
        "resolutions": (
            "Hi {name}, your suggestion is logged with product. Thanks again!",
            "Hi {name}, good news: dark mode is now available on the web under Settings.",
            "Thanks again, {name}!",
        ),
        "followups": (
            "Thanks! Any idea when?",
            "Also the font is too small on tablets.",
        ),
        "notes": (
            "Logged as a feature request.",
            "Forwarded to design.",
        ),
    },
    "human_agent": {
        "subjects": (
            "Talk to a human",
            "Live agent please",
            "The chatbot isn't helping",
        ),
        "openings": (
            "human",
            "agent please",
            "I want to talk to a real person, the bot keeps sending me FAQ links",
            "REAL PERSON PLEASE. I've been going in circles with the bot for {minutes} minutes",
        ),
        "replies": (
            "Hi {name}, you're now chatting with {agent} from the support team. How can I help?",
            (
                "Hello {name}, sorry for the wait — I'm {agent} and I'll take it from here. "
                "What's going on?"
            ),
            (
                "Hi {name}, thanks for holding. I've read your chat with the assistant. Could you "
                "tell me a bit more so I can help?"
            ),
        ),
        "resolutions": (
            "Glad we could sort it out, {name}. Have a good day!",
            (
                "Since I haven't heard back, I'll close this chat for now, {name}. Just open a "
                "new one if you need us."
            ),
            "You're welcome, {name}!",
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
    "app_bug": {
        "subjects": (
            "App crashes on startup",
            "Chart not loading",
            "Bug: wrong price in the widget",
            "Push notifications not working",
        ),
        "openings": (
            (
                "App crashes right after the splash screen since the last update. {device}, app "
                "{app_version}."
            ),
            "chart is blank for every pair on {device}",
            "The home screen widget shows a price for {pair} that is way off.",
            "I don't get any push notifications for filled orders anymore.",
        ),
        "replies": (
            (
                "Hi {name}, thanks for the report. Could you tell me your OS version and whether "
                "reinstalling the app helps? If you can, a screen recording of the crash would "
                "help our developers a lot."
            ),
            (
                "Hello {name}, we're aware of this issue on {device} with version {app_version} "
                "and a fix is being tested. In the meantime the website works normally."
            ),
            (
                "Hi {name}, please check that notifications are allowed for the app in your phone "
                "settings and under Settings → Notifications in the app. If both are on, reply "
                "and I'll raise it with the developers."
            ),
        ),
        "resolutions": (
            (
                "Hi {name}, the fix is out in the latest version. Please update and let us know "
                "if it happens again."
            ),
            "Glad it works after reinstalling, {name}!",
            "Hi {name}, the widget now refreshes correctly in the new release.",
        ),
        "followups": (
            "Reinstalled, same crash.",
            "Notifications are on in both places.",
            "OS is up to date.",
        ),
        "notes": (
            "Crash on startup, {device}, {app_version}. Linked to the existing bug report.",
            "Widget caches the price for too long; fixed in next build.",
        ),
    },
    "how_to": {
        "subjects": (
            "How do I find my deposit address?",
            "How to set an anti-phishing code",
            "How to transfer from spot to futures?",
            "How do I whitelist a withdrawal address?",
            "question about memo",
        ),
        "openings": (
            "Where do I find my {asset} deposit address? I can't see it anywhere.",
            "How do I set up the anti-phishing code you keep mentioning?",
            "how to move usdt from spot to futures",
            "Hi! How do I add an address to the withdrawal whitelist?",
            "Do I need a memo when I deposit {asset}?",
        ),
        "replies": (
            (
                "Hi {name}, go to Wallet → Deposit, pick {asset}, then choose the network you "
                "will send on. The address (and a tag/memo, if that network needs one) is shown "
                "on that page. Always send on the same network you selected there."
            ),
            (
                "Hello {name}, go to Security → Anti-phishing code and set a word or phrase only "
                "you know. After that, every genuine email from us contains it. If an email "
                "claims to be from us and doesn't show your code, it isn't us."
            ),
            (
                "Hi {name}, tap Transfer on the Wallet page, choose From: Spot and To: Futures, "
                "pick the asset and amount. Transfers between your own wallets are instant and "
                "free."
            ),
            (
                "Hi {name}, under Security → Withdrawal whitelist tap Add address, enter the "
                "address and network and confirm with your 2FA. New whitelist entries become "
                "active after 24 hours."
            ),
            (
                "Hi {name}, some assets such as XRP, XLM and EOS need a tag or memo so we know "
                "which account a deposit belongs to. If the deposit page shows one, you must "
                "enter it on the sending side, otherwise the deposit won't be credited "
                "automatically."
            ),
        ),
        "resolutions": (
            "Hope that helps, {name}!",
            "Glad you found it, {name}.",
            "Happy to help, {name}. Have a good one!",
        ),
        "followups": (
            "Found it, thanks!",
            "And how long until the whitelist is active?",
            "ok and can I change the code later?",
        ),
        "notes": (
            "Sent the help center link.",
            "Customer new to the platform; walked them through the wallet page.",
        ),
    },
}

CHASERS: Final[tuple[str, ...]] = (
    "Any update?",
    "hello??",
    "Still waiting...",
    "It has been {hours} hours. Is anyone looking at this?",
    "Hi, just following up on this.",
)

NUDGES: Final[tuple[str, ...]] = (
    (
        "Hi {name}, just checking in — did the steps above help? If I don't hear back in a few "
        "days I'll mark this as solved, and you can always reply to reopen it."
    ),
    (
        "Hi {name}, I'm still waiting for the details I asked for above. Once I have them I can "
        "move this forward."
    ),
    (
        "Hello {name}, following up on my last message. Let me know if you need anything else "
        "from us."
    ),
)

ESCALATIONS: Final[tuple[str, ...]] = (
    (
        "Hi {name}, I've passed this to our specialist team and they're investigating. This can "
        "take a little longer; I'll update you here as soon as I hear back.\n\n{agent}"
    ),
    (
        "Hello {name}, thanks for your patience. We're waiting on an answer from a partner on "
        "this one. Your case stays open and I'll come back to you as soon as we know more."
    ),
    (
        "Hi {name}, this needs a deeper check by our back-office team. I've escalated it with all "
        "the details you gave, so there's no need to send them again."
    ),
)

HOLD_NOTES: Final[tuple[str, ...]] = (
    "Escalated. Waiting on the specialist team.",
    "On hold until the partner answers. Reminder set for tomorrow.",
    "Waiting for back-office. Customer informed.",
)

FIRST_NAMES: Final[tuple[str, ...]] = (
    "James",
    "Olivia",
    "Liam",
    "Emma",
    "Noah",
    "Sophie",
    "Ethan",
    "Chloe",
    "Lucas",
    "Mia",
    "Daniel",
    "Hannah",
    "Mateo",
    "Isabella",
    "Arjun",
    "Priya",
    "Kwame",
    "Amara",
    "Tomás",
    "Lucía",
    "Mehmet",
    "Elif",
    "Dmitri",
    "Anya",
    "Kenji",
    "Yuki",
    "Minh",
    "Linh",
    "Rahul",
    "Fatima",
    "Omar",
    "Leila",
    "Sven",
    "Ingrid",
    "Pedro",
    "Camila",
    "Chinedu",
    "Ngozi",
    "Ryan",
    "Jessica",
    "Marcus",
    "Nadia",
    "Jonas",
    "Zara",
    "Ali",
    "Grace",
)

LAST_NAMES: Final[tuple[str, ...]] = (
    "Smith",
    "Johnson",
    "Brown",
    "Taylor",
    "Wilson",
    "Martin",
    "Anderson",
    "Clarke",
    "Walker",
    "Wright",
    "Patel",
    "Sharma",
    "Nair",
    "Mensah",
    "Okafor",
    "Adeyemi",
    "García",
    "Fernández",
    "Silva",
    "Costa",
    "Yılmaz",
    "Kaya",
    "Ivanov",
    "Petrova",
    "Tanaka",
    "Sato",
    "Nguyen",
    "Tran",
    "Khan",
    "Haddad",
    "Larsen",
    "Berg",
    "Müller",
    "Schmidt",
    "Rossi",
    "Dubois",
    "Kowalski",
    "Novak",
    "O'Brien",
    "Murphy",
)
