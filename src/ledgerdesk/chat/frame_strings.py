"""Every text the chat frame's script shows, in the request's language.

frame.js never carries a sentence of its own: the frame page hands it this table as JSON.
``%(name)s`` placeholders are filled in by the script. Labels of fixed controls are in the
template (chat/templates/chat/frame.html)."""

from __future__ import annotations

from ledgerdesk.ai.assistant.buttons import FEEDBACK_BUTTONS
from ledgerdesk.core.i18n import gettext as _
from ledgerdesk.tickets.models import Status
from ledgerdesk.web.labels import label


def frame_strings() -> dict[str, object]:
    """The table for the current locale (``strings`` in the frame's configuration)."""
    return {
        **_states(),
        **_queue_and_hours(),
        **_errors(),
        "status_labels": {s.value: label(s) for s in Status},
        # Sent exactly as written, in the assistant's reply's language (not the page's).
        "feedback_buttons": {lang: list(texts) for lang, texts in FEEDBACK_BUTTONS.items()},
    }


def _states() -> dict[str, str]:
    return {
        "connecting": _("Connecting…"),
        "reconnecting": _("Connection lost. Reconnecting…"),
        "offline_network": _("You are offline. Your messages will be sent when you are back."),
        "sending": _("Sending…"),
        "sent": _("Sent"),
        "delivered": _("Delivered"),
        "read": _("Read"),
        "retrying": _("Not sent yet. Trying again…"),
        "failed": _("Not sent: %(reason)s"),
        "you": _("You"),
        "agent": _("Support agent"),
        "system": _("Automatic message"),
        "assistant": _("Assistant"),
        "feedback_question": _("Did this solve it?"),
        "typing": _("%(name)s is typing…"),
        "typing_someone": _("An agent is typing…"),
        "signed_in_as": _("Chatting as %(email)s"),
        "download": _("Download %(name)s"),
        "remove_file": _("Remove %(name)s"),
        "size_b": _("%(n)s B"),
        "size_kb": _("%(n)s KB"),
        "size_mb": _("%(n)s MB"),
        "history_empty": _("You have no past conversations yet."),
        "history_item": _("#%(id)s · %(status)s · %(when)s"),
        "verify_sent": _("We sent a code to %(email)s. It is valid for a few minutes."),
        "offline_sent": _("Thank you. We will reply by e-mail to %(email)s."),
    }


def _queue_and_hours() -> dict[str, str]:
    return {
        "queue_position": _("You are number %(position)s in the queue."),
        "queue_wait": _("Expected wait: about %(minutes)s min."),
        "queue_wait_short": _("Expected wait: less than a minute."),
        "queue_soon": _("An agent will be with you shortly."),
        "no_agents": _("No agent is online right now. We will answer as soon as one is."),
        "closed": _("We are offline now."),
        "closed_until": _("We are offline now. We will be back %(when)s."),
    }


def _errors() -> dict[str, str]:
    return {
        "error_generic": _("Something went wrong. Please try again."),
        "error_network": _("Cannot reach the support desk. Please check your connection."),
        "error_rate_limited": _("You are sending messages too quickly. Please wait a moment."),
        "error_too_large": _("That is too large to send."),
        "error_not_found": _("This conversation cannot be found."),
        "error_closed": _("This conversation has ended."),
        "error_not_authenticated": _("Your chat session has ended. Please start again."),
        "error_origin": _("The chat cannot be used on this page."),
        "error_sign_in": _("We could not confirm your exchange account: %(reason)s"),
        "error_email": _("Please enter a valid e-mail address."),
        "error_code": _("Please enter the 6-digit code from the e-mail."),
        "error_empty": _("Write a message or attach a file."),
        "error_too_long": _("Your message is too long (at most %(count)s characters)."),
        "error_too_many_files": _("You can attach at most %(count)s files to one message."),
        "error_file_too_large": _("%(name)s is larger than the limit of %(size)s."),
        "error_attachment": _("The attachment could not be loaded."),
    }
