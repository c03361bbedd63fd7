"""Shared foundations: settings, database, errors, clock, i18n. Depends on nothing of ours."""
