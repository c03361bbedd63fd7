"""Background jobs for admins under /api/v1/admin/jobs: the counts and the failed jobs,
retry a dead job, drop a failed one."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel

from ledgerdesk.core.types import PathId, UtcDateTime
from ledgerdesk.jobs import admin
from ledgerdesk.jobs.models import OutboxEntry
from ledgerdesk.web.clientip import client_address
from ledgerdesk.web.deps import CurrentAgent, Db

router = APIRouter(prefix="/api/v1/admin/jobs", tags=["background jobs"])


class TopicCountsOut(BaseModel):
    topic: str
    waiting: int
    retrying: int
    dead: int


class JobOut(BaseModel):
    id: int
    topic: str
    state: str  # waiting, retrying or dead
    attempts: int
    last_error: str | None
    created_at: UtcDateTime
    available_at: UtcDateTime  # when it is (was) due: a retry's backoff ends then
    dead_at: UtcDateTime | None
    request_id: str | None


class JobsOverview(BaseModel):
    topics: list[TopicCountsOut]
    waiting: int
    retrying: int
    dead: int
    oldest_waiting_seconds: float | None
    failed: list[JobOut]


def _job(entry: OutboxEntry) -> JobOut:
    return JobOut(
        id=entry.id,
        topic=entry.topic,
        state=admin.state_of(entry),
        attempts=entry.attempts,
        last_error=entry.last_error,
        created_at=entry.created_at,
        available_at=entry.available_at,
        dead_at=entry.dead_at,
        request_id=entry.request_id,
    )


@router.get("")
def list_jobs(db: Db, actor: CurrentAgent) -> JobsOverview:
    """Counts by topic, the oldest due job's wait, and the failed jobs (dead first)."""
    view = admin.overview(db, actor)
    totals = view.totals
    return JobsOverview(
        topics=[TopicCountsOut(**t.__dict__) for t in view.topics],
        waiting=totals.waiting,
        retrying=totals.retrying,
        dead=totals.dead,
        oldest_waiting_seconds=view.oldest_waiting_seconds,
        failed=[_job(e) for e in admin.failed_jobs(db, actor)],
    )


@router.post("/{job_id}/retry")
def retry_job(request: Request, job_id: PathId, db: Db, actor: CurrentAgent) -> JobOut:
    """Run a dead job again (due now, attempts reset); 409 if it is not dead."""
    entry = admin.get_job(db, actor, job_id)
    admin.do_retry(db, actor, entry, address=client_address(request))
    answer = _job(entry)
    db.commit()
    return answer


@router.delete("/{job_id}", status_code=204)
def drop_job(request: Request, job_id: PathId, db: Db, actor: CurrentAgent) -> Response:
    """Delete a failed or dead job; 409 for a job that has not failed."""
    entry = admin.get_job(db, actor, job_id)
    admin.do_drop(db, actor, entry, address=client_address(request))
    db.commit()
    return Response(status_code=204)
