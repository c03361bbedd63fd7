"""Every table of every pillar, imported once so migrations and ``create_all`` see them all."""

from __future__ import annotations

from ledgerdesk.accounts import models as accounts_models
from ledgerdesk.core.db import Base
from ledgerdesk.tickets import models as tickets_models

metadata = Base.metadata

__all__ = ["accounts_models", "metadata", "tickets_models"]
