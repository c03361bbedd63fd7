"""When an agent's chat reply is also e-mailed to the customer.

Every public agent reply queues a reply e-mail (``channels.outgoing``). On a live chat the
customer usually reads the reply in the widget within seconds, and an e-mail per chat line
would be noise; but a customer who closed the page must still get the answer. So the mail job
asks here first: a reply the widget has delivered is not mailed, one it has not is mailed
once ``chat_reply_mail_delay_seconds`` have passed since it was written. Offline-form
conversations (nobody in a widget) and tickets that are not chats are mailed at once."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ledgerdesk.chat.models import ChatConversation
from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.settings import get_settings
from ledgerdesk.tickets.models import Channel, Message, Ticket


def reply_mail_wait(session: Session, message: Message) -> float | None:
    """Seconds still to wait before e-mailing ``message`` (0: send now), or ``None``: the
    customer's widget already received it, so no e-mail."""
    ticket = session.get(Ticket, message.ticket_id)
    if ticket is None or ticket.channel != Channel.chat:
        return 0.0
    conversation = session.get(ChatConversation, message.ticket_id)
    if conversation is None or conversation.offline:
        return 0.0
    if conversation.customer_delivered_seq >= message.seq:
        return None
    age = (utcnow() - message.created_at).total_seconds()
    return max(0.0, get_settings().chat_reply_mail_delay_seconds - age)
