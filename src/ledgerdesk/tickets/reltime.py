"""Relative times for the console ("5 min ago" / "5 分钟前"), rendered on the server in the
page's language, inside a ``<time>`` whose tooltip gives the absolute time (UTC)."""

from __future__ import annotations

from datetime import datetime

from markupsafe import Markup

from ledgerdesk.core.clock import utcnow
from ledgerdesk.core.i18n import gettext

_MINUTE, _HOUR, _DAY = 60, 3600, 86400


def relative(value: datetime, now: datetime | None = None) -> str:
    """``value`` (naive UTC) said relative to ``now``; older than 30 days: the date."""
    seconds = int(((now or utcnow()) - value).total_seconds())
    ahead, seconds = seconds < 0, abs(seconds)
    if seconds < 45:
        return gettext("just now")
    if seconds < _HOUR:
        num, text = max(1, round(seconds / _MINUTE)), ("in %(num)s min", "%(num)s min ago")
    elif seconds < _DAY:
        num, text = seconds // _HOUR, ("in %(num)s h", "%(num)s h ago")
    elif seconds < 30 * _DAY:
        num, text = seconds // _DAY, ("in %(num)s d", "%(num)s d ago")
    else:
        return value.strftime("%Y-%m-%d")
    return gettext(text[0] if ahead else text[1]) % {"num": num}


def time_tag(value: datetime | None, now: datetime | None = None) -> Markup:
    """``{{ t.updated_at|ago }}``: the relative time, the absolute one in its tooltip."""
    if value is None:
        return Markup("")
    absolute = value.strftime("%Y-%m-%d %H:%M") + " UTC"
    return Markup('<time datetime="{0}Z" title="{1}">{2}</time>').format(
        value.strftime("%Y-%m-%dT%H:%M:%S"), absolute, relative(value, now)
    )
