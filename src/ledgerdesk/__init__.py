"""ledgerdesk: a self-hosted after-sales support desk for crypto exchanges and wallets."""

__version__ = "0.1.0"
