"""Tickets, messages, attachments, tags, statuses, assignment, merge and the event log."""
