"""Every web process warms up before it serves, whatever runs the background jobs."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from ledgerdesk.ai import triage
from ledgerdesk.core.settings import Settings
from ledgerdesk.search import analysis
from ledgerdesk.web.app import create_app


@pytest.mark.parametrize("jobs", ["external", "embedded"])
def test_startup_loads_jieba_and_triage_before_any_request(
    app_settings: Settings, jobs: str
) -> None:
    settings = app_settings.model_copy(update={"jobs": jobs, "triage": True})
    analysis._tokenizer.cache_clear()
    analysis._analyse_cjk.cache_clear()
    triage._cache.clear()
    app = create_app(settings)
    try:
        assert analysis._tokenizer.cache_info().currsize == 0
        with TestClient(app):  # runs the lifespan's start-up; no request is made
            assert analysis._tokenizer.cache_info().currsize == 1
            assert analysis._tokenizer().initialized
            assert len(triage._cache) == 1
    finally:
        app.state.engine.dispose()
