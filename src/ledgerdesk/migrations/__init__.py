"""Alembic migrations, shipped inside the package so an installed ledgerdesk can migrate."""
