"""Relative times in both languages, with the absolute time in the tooltip."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from ledgerdesk.core import i18n
from ledgerdesk.tickets.reltime import relative, time_tag

NOW = datetime(2026, 5, 1, 12, 0)


@pytest.mark.parametrize(
    ("delta", "en", "zh"),
    [
        (timedelta(seconds=10), "just now", "刚刚"),
        (timedelta(minutes=5), "5 min ago", "5 分钟前"),
        (timedelta(hours=3, minutes=59), "3 h ago", "3 小时前"),
        (timedelta(days=2, hours=1), "2 d ago", "2 天前"),
        (timedelta(minutes=-20), "in 20 min", "20 分钟后"),
        (timedelta(days=45), "2026-03-17", "2026-03-17"),
    ],
)
def test_relative_in_both_languages(delta: timedelta, en: str, zh: str) -> None:
    assert relative(NOW - delta, NOW) == en
    i18n.set_locale("zh-CN")
    try:
        assert relative(NOW - delta, NOW) == zh
    finally:
        i18n.set_locale("en")


def test_time_tag_has_the_absolute_time() -> None:
    tag = str(time_tag(NOW - timedelta(minutes=5), NOW))
    assert (
        tag == '<time datetime="2026-05-01T11:55:00Z" title="2026-05-01 11:55 UTC">5 min ago</time>'
    )
    assert str(time_tag(None)) == ""
