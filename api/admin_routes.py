"""The merchant dashboard (issue 20, item 4): behind an admin key, the conversation report over a chosen period
(``dialogue.report``, the same figures as ``shopassist report``) as JSON, and ``/dashboard``, a page that shows it as
tables and plots (``api/static/dashboard.html``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, status
from fastapi.responses import HTMLResponse

from api.context import ApiContext, get_context, require_admin
from api.schemas import ErrorBody
from dialogue.report import ConversationReport, build_report, period
from dialogue.state_store import SqlStateStore

DASHBOARD_PAGE = Path(__file__).parent / "static" / "dashboard.html"

router = APIRouter(prefix="/api/admin", tags=["merchant dashboard"], dependencies=[Depends(require_admin)], responses={
    401: {"model": ErrorBody, "description": "An admin key is required."},
    403: {"model": ErrorBody, "description": "No admin keys are configured: the dashboard is off."},
    422: {"model": ErrorBody, "description": "Not a period, or an empty one."},
})
page_router = APIRouter(include_in_schema=False)
Ctx = Annotated[ApiContext, Depends(get_context)]


@router.get("/report", response_model=ConversationReport)
def report(
    ctx: Ctx,
    since: Annotated[str, Query(max_length=40, description="30m, 24h, 7d, 4w before `until`, or a date / time (2026-12-01).")] = "7d",
    until: Annotated[str | None, Query(max_length=40, description="The period's end, a date or time (default: now).")] = None,
) -> ConversationReport:
    """Conversations, turns, hand-offs and their reasons, searches without results (with their words), questions the
    catalog could not answer, categories and brands asked for, add-to-cart rate, feedback, and the counts per day."""
    store = ctx.assistant.states
    if not isinstance(store, SqlStateStore):
        raise HTTPException(status.HTTP_501_NOT_IMPLEMENTED, detail="The report reads a SQL conversation store.")
    start, end = period(since, until)
    return build_report(store, start, end)


@page_router.get("/dashboard", response_class=HTMLResponse)
def dashboard_page() -> HTMLResponse:
    """The dashboard page: it asks for the admin key and calls the report route."""
    return HTMLResponse(DASHBOARD_PAGE.read_text(encoding="utf-8"), headers={"Cache-Control": "no-store"})
