"""Incidents: a known problem with public text in zh and en, its updates, the tickets it
explains (linked by intent and network or by hand), the public status page, and the messages
sent to linked tickets (an automatic answer, mass replies, the resolution notice)."""
