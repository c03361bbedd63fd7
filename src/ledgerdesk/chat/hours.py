"""Chat business hours: when a person answers the chat, in the desk's time zone. The grammar
and the arithmetic live in ``core.business_hours`` (the SLA calendars use them too)."""

from __future__ import annotations

from ledgerdesk.core.business_hours import DAYS, BusinessHours, Window, hours_from

__all__ = ["DAYS", "BusinessHours", "Window", "hours_from"]
