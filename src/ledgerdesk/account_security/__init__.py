"""Account-security self-service: "lock my account now" and the lost-2FA reset, through the
exchange connector, every step logged (docs/account-security.md)."""
