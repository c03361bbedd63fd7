"""Channels: how the desk reaches customers (today outbound e-mail)."""
