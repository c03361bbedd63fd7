"""Extra context for the console case page, per case kind: ``PANELS[kind](session, case)``
returns the variables its panel template ``cases/_panel_<kind>.html`` reads. Each kind's module
registers its own (``cases.scam_panel`` for ``scam_report``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from ledgerdesk.cases.models import Case

PANELS: dict[str, Callable[[Session, Case], dict[str, Any]]] = {}
