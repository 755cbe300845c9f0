"""``shopassist report``: what shoppers asked for and did over a period, from the conversation store."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import typer

from cli.output import JSON_HELP, emit
from core.errors import UserError
from core.settings import get_settings

PERIOD = re.compile(r"^(\d+)([mhdw])$")
UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def report(
    since: str = typer.Option("7d", "--since", help="How far back: 30m, 24h, 7d, 4w, or a date (2026-12-01)."),
    until: str | None = typer.Option(None, "--until", help="The period's end, a date or time (default: now)."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Conversations, turns, hand-offs and why, searches that found nothing (and their words), questions the catalog
    could not answer, categories and brands asked for, add-to-cart rate, feedback."""
    from dialogue.report import build_report
    from dialogue.state_store import SqlStateStore

    end = parse_moment(until) if until else datetime.now(UTC)
    start = parse_since(since, end)
    if start >= end:
        raise UserError(f"The period is empty: --since {since} is not before {end.isoformat()}.")
    settings = get_settings()
    emit(build_report(SqlStateStore(settings.resolved_database_url), start, end), as_json=as_json, title="report")


def parse_since(text: str, end: datetime) -> datetime:
    """``7d`` before ``end``, or a date / time."""
    if match := PERIOD.match(text.strip()):
        return end - timedelta(**{UNITS[match[2]]: int(match[1])})
    return parse_moment(text)


def parse_moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise UserError(f"Not a period or a date: {text!r} (try 7d, 24h or 2026-12-01).") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
