"""Telegram and Discord bots: webhooks in (``api.py``, ``telegram.py``, ``discord.py``),
conversations as tickets (``services.py``), messages out through the outbox (``tasks.py``,
``client.py``). Operator guide: docs/messengers.md."""
