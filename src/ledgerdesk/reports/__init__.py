"""Reports for leads: metrics computed from the ticket history (docs/metrics.md)."""
