"""Chain adapters."""
