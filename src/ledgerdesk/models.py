"""Every table of every pillar, imported once so migrations and ``create_all`` see them all."""

from __future__ import annotations

from ledgerdesk.account_security import models as account_security_models
from ledgerdesk.accounts import models as accounts_models
from ledgerdesk.ai.assistant import models as assistant_models
from ledgerdesk.cases import commitments_models as cases_commitments_models
from ledgerdesk.cases import models as cases_models
from ledgerdesk.cases import watchlist_models
from ledgerdesk.chain import models as chain_models
from ledgerdesk.channels import models as channels_models
from ledgerdesk.chat import models as chat_models
from ledgerdesk.core.db import Base
from ledgerdesk.incidents import models as incidents_models
from ledgerdesk.jobs import models as jobs_models
from ledgerdesk.kb import models as kb_models
from ledgerdesk.macros import models as macros_models
from ledgerdesk.reports import models as reports_models
from ledgerdesk.reports import surges_models
from ledgerdesk.routing import models as routing_models
from ledgerdesk.search import models as search_models
from ledgerdesk.sla import escalation_models
from ledgerdesk.sla import models as sla_models
from ledgerdesk.tickets import models as tickets_models
from ledgerdesk.tickets import view_models as saved_views_models
from ledgerdesk.trust import anchoring_models as trust_anchoring_models
from ledgerdesk.trust import log_models as trust_log_models
from ledgerdesk.trust import models as trust_models

metadata = Base.metadata

__all__ = [
    "account_security_models",
    "accounts_models",
    "assistant_models",
    "cases_commitments_models",
    "cases_models",
    "chain_models",
    "channels_models",
    "chat_models",
    "escalation_models",
    "incidents_models",
    "jobs_models",
    "kb_models",
    "macros_models",
    "metadata",
    "reports_models",
    "routing_models",
    "saved_views_models",
    "search_models",
    "sla_models",
    "surges_models",
    "tickets_models",
    "trust_anchoring_models",
    "trust_log_models",
    "trust_models",
    "watchlist_models",
]
