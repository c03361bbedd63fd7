"""Agents, roles, teams, customers, API tokens and sign-in."""
