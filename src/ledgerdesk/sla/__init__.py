"""Service levels: business hours and holidays, SLA policies, due times, breaches, escalation."""
