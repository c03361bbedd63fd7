"""English demo lines for the account intents; see ``content_en`` for the rest."""

from __future__ import annotations

from typing import Final

INTENTS: Final[dict[str, tuple[dict[str, tuple[str, ...]], ...]]] = {
    "account_locked": (
        {
            "subjects": (
                "Locked out after too many attempts",
                "Account locked",
            ),
            "openings": (
                (
                    "My account got locked after I entered the wrong password a few times. How do "
                    "I unlock it?"
                ),
                "locked out. typed the password wrong 5 times, now it says account locked",
            ),
            "replies": (
                (
                    "Hi {name}, for your security the account is locked temporarily after several "
                    "failed sign-in attempts. It unlocks automatically after {hours} hours, or "
                    "you can unlock it now through 'Forgot password' with access to your email "
                    "and 2FA."
                ),
            ),
            "resolutions": (
                (
                    "Hi {name}, your account is unlocked. Keep an eye on login alerts, and "
                    "consider setting an anti-phishing code in your security settings."
                ),
            ),
            "followups": (
                "I can't wait {hours} hours, I have open positions!",
                "Used forgot password, I'm in. Thanks",
            ),
            "notes": ("Lock reason: failed logins. Auto-unlock pending.",),
        },
        {
            "subjects": ("How do I reactivate my account?",),
            "openings": (
                (
                    "Hi, I disabled my account myself with the link in the security email because "
                    "I saw a login I didn't recognise. Turns out it was my wife on our laptop. "
                    "How do I reactivate it?"
                ),
            ),
            "replies": (
                (
                    "Hi {name}, to reactivate an account you disabled yourself we need to confirm "
                    "it's really you, so please complete the identity check in the link I just "
                    "sent. After reactivation, withdrawals are paused for 24 hours as a "
                    "precaution."
                ),
            ),
            "resolutions": (
                (
                    "Thanks for completing the verification, {name}. The account is active again; "
                    "withdrawals open up after the 24-hour security hold."
                ),
            ),
            "followups": ("Done, uploaded the selfie.",),
            "notes": (
                (
                    "Self-disabled from the email link. The login was from the customer's home "
                    "IP, benign."
                ),
            ),
        },
        {
            "subjects": (
                "My account is frozen",
                "Why is my account restricted?",
            ),
            "openings": (
                "account frozen with no warning. I have {amount} {asset} in there. explain NOW",
                (
                    "Hello support, I received an email saying my account is restricted pending "
                    "review. I haven't done anything unusual. UID {uid}."
                ),
            ),
            "replies": (
                (
                    "Hello {name}, I understand this is worrying. The restriction was applied by "
                    "an automated review and your funds remain in your account. To lift it we "
                    "need a short verification: please complete the ID and face check from the "
                    "link in the email we sent. We will never ask for your password or 2FA codes."
                ),
                (
                    "Hi {name}, the account was restricted for a compliance review. I can't share "
                    "the details of the review, but the compliance team has it and I've marked it "
                    "as time-sensitive.\n\n{agent}"
                ),
            ),
            "resolutions": (
                (
                    "Hi {name}, the review has finished and the restriction has been lifted. "
                    "Sorry for the trouble."
                ),
            ),
            "followups": (
                "Still says restricted when I log in.",
                "Done the verification. How long now?",
            ),
            "notes": (
                "Compliance restriction — do not tell the customer the reason. Review requested.",
            ),
        },
    ),
    "login_problem": (
        {
            "subjects": (
                "Login not working on the app",
                "Can't log in",
            ),
            "openings": (
                (
                    "I can't log in. The app keeps saying 'something went wrong'. Version "
                    "{app_version} on {device}."
                ),
                "cant login since yesterday, wtf",
            ),
            "replies": (
                (
                    "Hi {name}, sorry about that. Could you update the app, clear its cache and "
                    "sign in again? If it still fails, please send me the exact error and roughly "
                    "when you tried, so I can find the attempt in our logs."
                ),
            ),
            "resolutions": (
                (
                    "Hi {name}, the fix is in the latest app version. After updating you should "
                    "be able to sign in normally."
                ),
            ),
            "followups": (
                "It works on the website but the app still fails.",
                "The error says 'session expired' right after I enter the code.",
            ),
            "notes": ("Known app bug on {device}, fix in next release.",),
        },
        {
            "subjects": (
                "Verification code email never arrives",
                "Stuck on the login screen",
            ),
            "openings": (
                "email verification code never arrives. checked spam. tried 5 times",
                (
                    "Every time I log in it asks me to confirm a new device, and the link in the "
                    "email expires before I can click it."
                ),
            ),
            "replies": (
                (
                    "Hello {name}, verification emails are sometimes delayed or filtered by the "
                    "email provider. Please add our sending address to your contacts and wait a "
                    "couple of minutes between requests — every new request cancels the previous "
                    "code."
                ),
            ),
            "resolutions": (
                (
                    "Hi {name}, one email provider was rejecting our messages; that's fixed now "
                    "and codes should arrive within a minute."
                ),
            ),
            "followups": ("Tried all that, still nothing.",),
            "notes": ("Mail provider bouncing our messages since this morning; infra is on it.",),
        },
        {
            "subjects": ("'IP restricted' when logging in",),
            "openings": (
                (
                    "Hello, when I log in I get 'IP restricted'. I'm travelling at the moment, "
                    "does that matter?"
                ),
            ),
            "replies": (
                (
                    "Hi {name}, sign-ins from some regions are restricted under our terms of use, "
                    "and some VPN exit nodes are blocked. If you use a VPN while travelling, "
                    "please try without it."
                ),
            ),
            "resolutions": ("Great to hear you're back in, {name}!",),
            "followups": ("Turned off the VPN and it works.",),
            "notes": ("Login blocked from a VPN exit node. Explained.",),
        },
    ),
    "password_reset": (
        {
            "subjects": (
                "Forgot password",
                "Password reset link not working",
            ),
            "openings": (
                "Forgot my password and the reset link says expired",
                "hi i forgot password. pls reset it for me, my email is the one on this ticket",
            ),
            "replies": (
                (
                    "Hi {name}, reset links are valid for 30 minutes and only the latest one "
                    "works. Please request a new link and use it straight away. For your safety "
                    "support can't reset the password for you, and we will never ask for your old "
                    "or new password."
                ),
            ),
            "resolutions": ("Hi {name}, glad the new link worked.",),
            "followups": (
                "New link also expired??",
                "ok the new link worked",
            ),
            "notes": ("Customer clicked an old link; explained that only the latest works.",),
        },
        {
            "subjects": ("Reset password without access to my email",),
            "openings": (
                (
                    "I need to reset my password but I no longer have access to the email on my "
                    "account. What can I do?"
                ),
            ),
            "replies": (
                (
                    "Hello {name}, to change the email address on the account we need to verify "
                    "your identity: an ID and selfie check, then a manual review. After the "
                    "change, withdrawals are held for 48 hours as a security measure."
                ),
            ),
            "resolutions": (
                (
                    "Hi {name}, the email change has been approved. Withdrawals will be available "
                    "after the 48-hour hold."
                ),
            ),
            "followups": ("Uploaded my ID, how long does the review take?",),
            "notes": ("Email change: ID and liveness passed, waiting for manual review.",),
        },
        {
            "subjects": ("Can't withdraw after password reset",),
            "openings": ("I reset my password and now I can't withdraw anything. Why??",),
            "replies": (
                (
                    "Hi {name}, after a password reset withdrawals are paused for 24 hours. This "
                    "protects you in case someone else reset the password. Your balances and "
                    "trading are not affected."
                ),
            ),
            "resolutions": ("Hi {name}, the 24-hour hold has ended and withdrawals work again.",),
            "followups": ("ok I'll wait the 24h",),
            "notes": ("Standard 24h hold after password reset.",),
        },
    ),
    "two_factor_reset": (
        {
            "subjects": (
                "Lost my phone - need to reset 2FA",
                "Google Authenticator reset",
            ),
            "openings": (
                (
                    "I got a new phone and didn't move Google Authenticator over. Now I can't log "
                    "in. Please remove 2FA."
                ),
                (
                    "Lost my phone at the airport, need a 2FA reset urgently, I have {amount} "
                    "{asset} in my account and the market is moving!!!"
                ),
            ),
            "replies": (
                (
                    "Hi {name}, you can start a 2FA reset from the login page under 'Security "
                    "verification unavailable'. You'll confirm with your remaining factors (email "
                    "or SMS), then complete an ID and face check. Once approved, withdrawals are "
                    "held for 48 hours."
                ),
            ),
            "resolutions": (
                (
                    "Hi {name}, your 2FA reset is approved and you can bind your new "
                    "authenticator. Withdrawals open again after the 48-hour security hold."
                ),
            ),
            "followups": (
                "Submitted. Selfie done.",
                "48 hours?? that's ridiculous, it's my own money",
            ),
            "notes": (
                (
                    "2FA reset: ID ok, liveness ok, email confirmed. Approved; 48h withdrawal "
                    "hold applies."
                ),
            ),
        },
        {
            "subjects": ("New phone, 2FA codes don't work",),
            "openings": ("my 2fa codes are always invalid. time on phone is automatic",),
            "replies": (
                (
                    "Hello {name}, invalid codes usually mean the authenticator's clock is out of "
                    "sync. In Google Authenticator open Settings, then 'Time correction for "
                    "codes', tap 'Sync now' and try again."
                ),
            ),
            "resolutions": ("Great, {name} — the time sync fixed it.",),
            "followups": ("that worked!!",),
            "notes": ("Clock drift on authenticator. Sync fixed it.",),
        },
        {
            "subjects": ("2FA reset stuck in review",),
            "openings": (
                (
                    "Hello, I submitted a 2FA reset request {hours} hours ago and it's still in "
                    "review. How long does it take?"
                ),
            ),
            "replies": (
                (
                    "Hi {name}, your reset request is in the manual review queue. Reviews "
                    "normally finish within 1–3 days and I've noted that it's urgent. Please "
                    "don't submit a second request, as that puts you back at the end of the queue."
                ),
            ),
            "resolutions": (
                (
                    "Hi {name}, the review is complete and the old 2FA has been removed. Please "
                    "set up a new authenticator right away."
                ),
            ),
            "followups": (
                "I already submitted it twice, sorry",
                "Still in review.",
            ),
            "notes": ("Duplicate reset requests. Closed the older ones.",),
        },
        {
            "subjects": ("Can I verify with my 2FA code?",),
            "openings": (
                "Can I just send you the code from my authenticator so you know it's me?",
            ),
            "replies": (
                (
                    "Hi {name}, please don't share 2FA codes with anyone, including us — genuine "
                    "support never asks for them. The reset flow is the safe way to prove it's "
                    "you, and I'll follow your case from here."
                ),
            ),
            "resolutions": (
                "Hi {name}, your reset went through. Thanks for using the proper flow.",
            ),
            "followups": ("ok, started the reset flow",),
            "notes": ("Customer offered a 2FA code. Declined, policy reminder sent.",),
        },
    ),
    "account_compromised": (
        {
            "subjects": (
                "Unauthorized withdrawal!!",
                "URGENT - funds stolen",
            ),
            "openings": (
                (
                    "SOMEONE WITHDREW {amount} {asset} FROM MY ACCOUNT TO {address}. I DID NOT DO "
                    "THIS. LOCK MY ACCOUNT NOW"
                ),
                (
                    "I think I got phished. I entered my login on a site that looked exactly like "
                    "yours, and an hour later my {asset} was gone. Tx {txid}"
                ),
            ),
            "replies": (
                (
                    "Hi {name}, I've locked your account now, so no further logins or withdrawals "
                    "are possible. A security specialist will continue with you by email on this "
                    "ticket. Please change the password of your email account, and never share "
                    "passwords, 2FA codes or your recovery phrase with anyone — including people "
                    "claiming to be us."
                ),
                (
                    "Hi {name}, the withdrawal went to {address} (TxID {txid}). We've flagged the "
                    "address with other platforms and our security team is reviewing the case. "
                    "Please also file a police report — we can provide the records they need."
                ),
            ),
            "resolutions": (
                (
                    "Hi {name}, the receiving platform froze part of the funds at our request. "
                    "The security team will contact you about the return process."
                ),
                (
                    "Hi {name}, our investigation is complete and we've sent the findings by "
                    "email. The account is secured with a new password and 2FA and is unlocked; "
                    "withdrawals open after the 48-hour hold."
                ),
            ),
            "followups": (
                "I changed my email password. What now?",
                "Will I get my money back?",
            ),
            "notes": (
                "Account locked on request. Sessions killed, API keys revoked.",
                (
                    "Destination {address} linked to a known phishing cluster. Reported to the "
                    "receiving exchange."
                ),
            ),
        },
        {
            "subjects": (
                "Someone logged into my account",
                "My account was hacked",
            ),
            "openings": (
                (
                    "I got an email about a login from a device I don't know. I didn't log in. "
                    "What should I do?"
                ),
                (
                    "My API key was used to place trades I didn't make. Order {order_id}. Please "
                    "freeze everything."
                ),
            ),
            "replies": (
                (
                    "Hello {name}, thank you for reporting this quickly. I've revoked all API "
                    "keys and signed out every session on your account. Could you tell us when "
                    "you last logged in yourself, whether you installed new browser extensions or "
                    "software recently, and whether anyone asked you for remote access to your "
                    "computer?"
                ),
            ),
            "resolutions": (
                (
                    "Hi {name}, our investigation is complete and we've sent the findings by "
                    "email. The account is secured with a new password and 2FA and is unlocked; "
                    "withdrawals open after the 48-hour hold."
                ),
            ),
            "followups": (
                "I did install a 'wallet helper' extension last week...",
                "Nothing new installed. Last login was yesterday from my phone.",
            ),
            "notes": ("API keys revoked, sessions killed. Probable malicious browser extension.",),
        },
        {
            "subjects": ("Strange login alert",),
            "openings": (
                (
                    "Got a login alert from a new laptop. I did buy a new laptop but I'm not sure "
                    "I logged in yet. Please check"
                ),
            ),
            "replies": (
                (
                    "Hi {name}, thanks for checking. I've locked the account as a precaution "
                    "while we look at the login details. We'll never ask for your password or 2FA "
                    "codes during this check."
                ),
            ),
            "resolutions": (
                (
                    "Hi {name}, the login turned out to be your own new laptop, so no further "
                    "action is needed. The account is unlocked."
                ),
            ),
            "followups": ("Actually yes, my son set up the laptop and logged in for me.",),
            "notes": ("Login from customer's usual city and ISP, new device. Benign.",),
        },
    ),
    "kyc_verification": (
        {
            "subjects": ("Verification rejected",),
            "openings": (
                "My KYC got rejected but no reason given. I uploaded my passport.",
                "kyc rejected AGAIN. what is wrong with my passport??",
            ),
            "replies": (
                (
                    "Hi {name}, the check was rejected because the photo of your passport was cut "
                    "off at the edge, so the machine-readable lines couldn't be read. Please "
                    "retake it on a flat surface in good light with all four corners visible."
                ),
            ),
            "resolutions": ("Thanks {name}, the new photo passed. You're verified!",),
            "followups": ("Retook the photo and submitted again.",),
            "notes": ("Document rejected: MRZ cropped. Asked for a retake.",),
        },
        {
            "subjects": ("KYC pending for a week",),
            "openings": ("KYC still pending after 5 days. I can't withdraw anything.",),
            "replies": (
                (
                    "Hello {name}, verification is taking longer than usual because of high "
                    "volumes. Your application is in the queue, nothing is missing and no further "
                    "action is needed."
                ),
            ),
            "resolutions": ("Hi {name}, you're verified! All features are now unlocked.",),
            "followups": ("Still pending. Day 6.",),
            "notes": ("Queue backlog about 4 days. No action.",),
        },
        {
            "subjects": ("Why do you need my selfie?",),
            "openings": ("Why do you need a video selfie? I already sent my ID. Seems excessive.",),
            "replies": (
                (
                    "Hi {name}, the face check makes sure the person opening the account is the "
                    "person on the ID. It protects you against someone using stolen documents in "
                    "your name. The images are only used for verification."
                ),
            ),
            "resolutions": (
                "Thanks {name}, the face check passed and your account is fully verified.",
            ),
            "followups": ("Ok fair enough, did the selfie.",),
            "notes": ("Explained purpose of liveness check.",),
        },
        {
            "subjects": ("Identity verification keeps failing",),
            "openings": (
                (
                    "my surname has a hyphen and your form won't accept it, so verification keeps "
                    "failing"
                ),
            ),
            "replies": (
                (
                    "Hi {name}, sorry about that — the form is too strict with some characters. "
                    "I've asked our compliance team to enter your name by hand from your document."
                ),
            ),
            "resolutions": (
                "Hi {name}, we corrected the name by hand and your verification is approved.",
            ),
            "followups": ("Thank you, let me know when it's done.",),
            "notes": ("Special characters in the surname; compliance approved a manual override.",),
        },
    ),
    "scam_report": (
        {
            "subjects": (
                "Fake support on Telegram",
                "Someone is pretending to be your staff",
            ),
            "openings": (
                (
                    "A Telegram account called 'Official Support' messaged me and asked me to "
                    "'verify my wallet' by typing my recovery phrase on a website. Is this you?"
                ),
                (
                    "Someone on WhatsApp says they're from your security team and wants me to "
                    "install a remote desktop app to 'secure my account'."
                ),
            ),
            "replies": (
                (
                    "Hi {name}, thank you for checking with us — that isn't us. We never contact "
                    "users first on Telegram or WhatsApp, and we never ask for your recovery "
                    "phrase, password or 2FA codes, remote access to your device, or ask you to "
                    "move funds. Please block and report the account. You can check any link, "
                    "email, phone number or Telegram handle with our official verification tool."
                ),
            ),
            "resolutions": (
                (
                    "Hi {name}, we've added that handle to our list of known impersonators and "
                    "reported it to the platform. Thanks for helping keep others safe."
                ),
            ),
            "followups": ("Thanks, I blocked them.",),
            "notes": ("Impersonation: handle added to the verification blocklist.",),
        },
        {
            "subjects": (
                "Is this email from you?",
                "Phishing SMS",
            ),
            "openings": (
                (
                    "Got an email with your logo asking me to move my funds to a 'safe wallet' "
                    "{address}. My anti-phishing code isn't in it."
                ),
                (
                    "I got an SMS saying my account will be frozen unless I call a phone number. "
                    "Is that real?"
                ),
            ),
            "replies": (
                (
                    "Hi {name}, genuine emails from us always contain the anti-phishing code you "
                    "set. Since it's missing, treat the message as phishing and don't click "
                    "anything in it, or call any number it gives. We've reported the sender."
                ),
            ),
            "resolutions": (
                "Thanks again for the report, {name}. The phishing domain has been taken down.",
            ),
            "followups": ("Good thing I asked. Deleted it.",),
            "notes": ("Phishing domain reported to the registrar and browser blocklists.",),
        },
        {
            "subjects": ("Scammed by an investment group",),
            "openings": (
                (
                    "I joined a WhatsApp 'VIP signals' group and sent {amount} {asset} to "
                    "{address} for 'guaranteed 30% a month'. Now they want more for 'tax' before "
                    "I can withdraw. Help"
                ),
            ),
            "replies": (
                (
                    "Hello {name}, I'm sorry this happened. Please stop all payments to them: "
                    "requests for 'tax' or 'unlock fees' before a withdrawal are a classic sign "
                    "of this scam, and paying more won't release anything. Send us the TxIDs and "
                    "any chat screenshots; we'll flag the addresses and share the details with "
                    "law enforcement on request. We also recommend filing a police report."
                ),
            ),
            "resolutions": (
                (
                    "Hi {name}, the address {address} has been flagged and we've passed the case "
                    "to the receiving platform. Please give the police our ticket number so they "
                    "can request the records."
                ),
            ),
            "followups": (
                "Here are the screenshots and the tx hash {txid}.",
                "I already paid the 'tax' once. Is there any way to get it back?",
            ),
            "notes": (
                (
                    "Address {address} flagged; pig-butchering pattern. Law enforcement pack "
                    "prepared."
                ),
            ),
        },
    ),
}
