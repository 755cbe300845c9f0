"""``shopassist report``: what shoppers asked for and did over a period, from the conversation store."""

from __future__ import annotations

import typer
from rich.table import Table

from cli.output import JSON_HELP, console, emit
from core.settings import get_settings


def report(
    since: str = typer.Option("7d", "--since", help="How far back: 30m, 24h, 7d, 4w, or a date (2026-12-01)."),
    until: str | None = typer.Option(None, "--until", help="The period's end, a date or time (default: now)."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Conversations, turns, hand-offs and why, searches that found nothing (and their words), questions the catalog
    could not answer, categories and brands asked for, add-to-cart rate, feedback."""
    from dialogue.report import build_report, period
    from dialogue.state_store import SqlStateStore

    start, end = period(since, until)
    settings = get_settings()
    result = build_report(SqlStateStore(settings.resolved_database_url), start, end)
    if as_json:
        emit(result, as_json=True)
        return
    totals = result.model_dump(mode="json", include={"since", "until", "conversations", "conversations_started", "turns",
                                                       "handoffs", "searches_without_results", "unanswered_questions",
                                                       "conversations_adding_to_cart", "add_to_cart_rate", "feedback"})
    emit(totals, as_json=False, title="report")
    days = Table(title="per day (UTC)")
    for column in ("day", "conversations", "turns", "hand-offs", "no results", "adding to cart"):
        days.add_column(column, justify="left" if column == "day" else "right")
    for day in result.days:
        days.add_row(str(day.day), str(day.conversations), str(day.turns), str(day.handoffs), str(day.searches_without_results),
                     str(day.conversations_adding_to_cart))
    console.print(days)
    for title, counts in (("hand-offs: what the shopper said", result.handoff_reasons),
                          ("searches without results: the words", result.search_words_without_results),
                          ("questions the catalog could not answer", result.unanswered_question_texts),
                          ("categories asked for", result.categories_asked), ("brands asked for", result.brands_asked)):
        if counts:
            table = Table(title=title)
            table.add_column("")
            table.add_column("times", justify="right")
            for count in counts:
                table.add_row(count.value, str(count.count))
            console.print(table)
