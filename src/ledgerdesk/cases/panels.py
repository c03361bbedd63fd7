"""Extra panels on the console case page, per case kind: a pillar registers a function that
gives its template ``cases/_panel_<kind>.html`` the context it needs (the page always passes
``case``, ``steps``, ``tickets`` and ``me``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from ledgerdesk.cases.models import Case

PANELS: dict[str, Callable[[Session, Case], dict[str, Any]]] = {}
