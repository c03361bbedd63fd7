"""List the SQL statements (database round trips) each benchmarked request makes.

Runs the app in-process (httpx over ASGI, no network) on a fresh SQLite file or a database
URL you give, warms each request once, then records the statements of one more::

    .venv/bin/python bench/statements.py
    .venv/bin/python bench/statements.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/DB
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, event

from ledgerdesk.accounts.models import Role
from ledgerdesk.accounts.services import SYSTEM, do_create_agent
from ledgerdesk.accounts.tokens import do_create_api_token
from ledgerdesk.core.db import make_sessionmaker
from ledgerdesk.core.migrate import upgrade
from ledgerdesk.core.settings import Settings
from ledgerdesk.web.app import create_app

PASSWORD = "statements-password"  # noqa: S105 - throwaway account


class Recorder:
    def __init__(self, engine: Engine) -> None:
        self.statements: list[str] = []
        self.on = False
        event.listen(engine, "before_cursor_execute", self._before)

    def _before(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if self.on:
            self.statements.append(" ".join(statement.split())[:160])


async def trace(database_url: str, data_dir: Path) -> None:
    settings = Settings(
        database_url=database_url, data_dir=data_dir, secret_key="s" * 48, env="development"
    )
    app = create_app(settings)
    engine: Engine = app.state.engine
    upgrade(engine)
    with make_sessionmaker(engine)() as session:
        admin = do_create_agent(
            session,
            SYSTEM,
            email="statements@desk.example",
            name="Statements",
            password=PASSWORD,
            role=Role.admin,
        )
        token = do_create_api_token(session, SYSTEM, admin, "statements")
        session.commit()
    recorder = Recorder(engine)
    transport = httpx.ASGITransport(app=app)
    bearer = {"authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        login = await client.post(
            "/console/login", data={"email": "statements@desk.example", "password": PASSWORD}
        )
        assert login.status_code == 303, login.text
        n = 0

        def create_body() -> dict[str, Any]:
            nonlocal n
            n += 1
            return {
                "subject": f"Withdrawal {n} stuck",
                "body": "Please check my withdrawal.",
                "requester": {"email": f"c{n}@customers.example", "name": f"C {n}"},
            }

        requests: list[tuple[str, str, str, Any]] = [
            ("ticket create (new customer)", "POST", "/api/v1/tickets", create_body),
            ("reply (first agent reply)", "POST", "/api/v1/tickets/{id}/messages", None),
            ("JSON list, open", "GET", "/api/v1/tickets?open_only=true&per_page=50", None),
            ("console inbox, open", "GET", "/console/inbox?view=open", None),
        ]
        ticket_id = 0
        for label, method, path, body in requests:
            for attempt in range(2):
                if "{id}" in path:
                    created = await client.post(
                        "/api/v1/tickets", json=create_body(), headers=bearer
                    )
                    ticket_id = int(created.json()["id"])
                payload = body() if callable(body) else None
                if "messages" in path:
                    payload = {"body": "We are on it.", "kind": "public"}
                recorder.statements.clear()
                recorder.on = attempt == 1
                response = await client.request(
                    method,
                    path.format(id=ticket_id),
                    json=payload,
                    headers=bearer if path.startswith("/api") else None,
                )
                recorder.on = False
                assert response.status_code in (200, 201), (label, response.text[:300])
            print(f"\n{label}: {len(recorder.statements)} statements")
            for statement in recorder.statements:
                print(f"  {statement}")
    engine.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="SQL statements per benchmarked request.")
    parser.add_argument("--database-url", default=None, help="default: a temp SQLite file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ledgerdesk-statements-") as tmp:
        os.environ["LEDGERDESK_DATA_DIR"] = tmp
        url = args.database_url or f"sqlite:///{Path(tmp) / 'ledgerdesk.db'}"
        asyncio.run(trace(url, Path(tmp)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
