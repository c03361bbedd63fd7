"""Cases: formal complaints and appeals, scam reports, and the append-only register of every
step taken on them. A case always has a working ticket (where the conversation happens); the
case adds what a ticket lacks: deadlines, a register of steps, evidence and an outcome."""
