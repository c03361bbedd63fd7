"""The demo desk: a deterministic, bilingual set of teams, agents, customers and tickets that
``ledgerdesk demo`` loads into an empty database, built only through the service layer."""
