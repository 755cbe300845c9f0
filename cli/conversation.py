"""``shopassist ask``, ``chat`` and ``test``: talking to the assistant from the terminal."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from cli.nlu import eval_app
from cli.output import JSON_HELP, console, emit
from core.errors import ShopAssistError
from core.settings import get_settings

if TYPE_CHECKING:
    from dialogue.plan import ComparisonTable, ReplyPlan

GENERATORS = ("template", "openai", "local")


def ask(
    message: str = typer.Argument(..., help="What the shopper says."),
    conversation: str | None = typer.Option(None, "--conversation", help="Continue this conversation id."),
    sender: str = typer.Option("cli", "--sender"),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """One turn: route the message, search, and print the reply with products and prices."""
    from assistant.wiring import build_assistant

    assistant = build_assistant(get_settings())
    conversation_id = conversation if conversation and assistant.states.exists(conversation) else assistant.start(sender, conversation)
    result = assistant.handle(conversation_id, sender, message)
    if as_json:
        emit(result, as_json=True)
    else:
        console.print(result.text)
        print_plan_comparison(result.plan, assistant.settings.currency)
        console.print(f"[dim]conversation {conversation_id} · intent {result.plan.intent} · action {result.plan.action}[/]")


def chat(sender: str = typer.Option("cli", "--sender")) -> None:
    """Chat in the terminal. /like N and /dislike N rate card N; /quit leaves."""
    from assistant.wiring import build_assistant
    from ui.texts import book, shop_language

    assistant = build_assistant(get_settings())
    conversation_id = assistant.start(sender)
    words = book(shop_language(assistant.settings))  # the shop's language until the shopper writes
    console.print(f"[bold]ShopAssist[/] — {words['cli.welcome']}")
    cards: list[str] = []
    while True:
        try:
            text = console.input("[bold cyan]you>[/] ").strip()
        except (EOFError, KeyboardInterrupt):
            break
        if text in {"/quit", "/exit"}:
            break
        if text.startswith(("/like", "/dislike")):
            parts = text.split()
            if len(parts) == 2 and parts[1].isdigit() and 1 <= int(parts[1]) <= len(cards):
                assistant.feedback(conversation_id, sender, cards[int(parts[1]) - 1], liked=parts[0] == "/like")
                console.print(f"[dim]{words['cli.noted']}[/]")
            else:
                console.print(f"[yellow]{words['cli.rating_usage']}[/]")
            continue
        try:
            result = assistant.handle(conversation_id, sender, text, collect_for="cli")  # an agent's messages come along
        except ShopAssistError as exc:
            console.print(f"[yellow]{exc}[/]")
            continue
        cards = [c.product_id for c in result.plan.products] or cards
        words = book(result.plan.language)  # the shopper's language from now on
        for message in result.from_person:
            console.print(f"[bold magenta]{message.agent}>[/] {message.text}")
        if result.waiting_for_person:
            console.print(f"[dim]{words['cli.waiting_for_person']}[/]")
            continue
        console.print(f"[bold green]shopassist>[/] {result.text}")
        print_plan_comparison(result.plan, assistant.settings.currency)


def print_plan_comparison(plan: ReplyPlan, default_currency: str) -> None:
    """The plan's comparison table, if any, in the turn's language and the products' currency."""
    from assistant.generators.phrases import plan_currency

    print_comparison(plan.comparison, plan.language, plan_currency(plan, default_currency))


def print_comparison(table: ComparisonTable | None, language: str = "en", currency: str | None = None) -> None:
    """The comparison table beside the reply (the reply sums it up in a few lines and does not repeat it). Row names
    and the rating, stock and list cells in ``language`` (the widget's words, ``ui.texts``); prices in ``currency``."""
    if table is None:
        return
    console.print(comparison_grid(table, language, currency))


def comparison_grid(table: ComparisonTable, language: str = "en", currency: str | None = None) -> Table:
    """The comparison as a rich table (see ``print_comparison``)."""
    from ui.texts import attribute_name, comparison_cell

    grid = Table(show_header=True, header_style="bold")
    grid.add_column("")
    for title in table.titles:
        grid.add_column(title, overflow="fold")
    for row in table.rows:
        cells = [comparison_cell(row.attribute, value, language, currency) for value in row.values]
        grid.add_row(attribute_name(row.attribute, language), *cells, style="bold" if row.differs else None)
    return grid


def test_dialogues(
    paths: list[Path] = typer.Argument(..., help="YAML suites or folders of them."),
    junit: Path | None = typer.Option(None, "--junit", help="Write a JUnit XML report here."),
    catalog: Path | None = typer.Option(None, "--catalog", exists=True, help="Run against this catalog (ingested into a store of its own)."),
    mapping: Path | None = typer.Option(None, "--mapping", exists=True, help="Field mapping for --catalog."),
    generator: str = typer.Option("template", "--generator", help="Reply generator: template (deterministic), openai or local."),
) -> None:
    """Run scripted dialogue suites through the full pipeline; exits non-zero when a case fails."""
    from assistant.wiring import build_assistant
    from lab.fixtures import catalog_store
    from lab.scripted.runner import format_failure, run_suites, write_junit

    if generator not in GENERATORS:
        raise typer.BadParameter("--generator must be template, openai or local")
    settings = get_settings().model_copy(update={"generator": generator})
    if catalog is not None:
        settings = catalog_store(settings, [catalog], mapping=mapping)
    report = run_suites(build_assistant(settings), paths)
    for result in report.results:
        if not result.passed:
            console.print(format_failure(result), markup=False, highlight=False)
    if junit is not None:
        write_junit(report, junit)
    print(report.summary_line())
    raise typer.Exit(code=1 if report.failed else 0)


@eval_app.command("readings")
def eval_readings(
    paths: list[Path] = typer.Argument(..., help="YAML suites or folders of them (known_failures.yml files are skipped)."),
    margin: float = typer.Option(0.12, "--margin", min=0.0, max=1.0, help="How close a call must be to be read otherwise: "
                                 "within this of the fallback's thresholds, or of the runner-up's probability."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Scripted cases re-run with each turn the intent model decided narrowly read as another training might read it
    (unsure, its runner-up, or the top intent its fallback set aside): the readings under which a case fails."""
    from assistant.wiring import build_assistant
    from lab.scripted.format import discover, parse_suite
    from lab.scripted.other_readings import evaluate_readings

    cases = [case for path in discover(paths) if path.name != "known_failures.yml" for case in parse_suite(path)]
    with tempfile.TemporaryDirectory(prefix="shopassist-readings-") as scratch:  # conversations and orders of its own
        settings = get_settings().model_copy(update={"database_url": f"sqlite:///{Path(scratch) / 'readings.db'}"})
        report = evaluate_readings(build_assistant(settings), cases, margin=margin, progress=not as_json)
    if as_json:
        emit(report, as_json=True)
        return
    for call in report.fragile:
        console.print(f"[bold]{call.case}[/bold]: {call.text!r} read as {call.read_as} ({call.why})", highlight=False)
        for failure in call.failures:
            console.print(f"    {failure}", markup=False, highlight=False)
    print(f"{report.cases} cases, {report.turns} turns read, {report.close_calls} close calls tried (margin {report.margin}), "
          f"{len(report.fragile)} fragile, {len(report.baseline_failures)} cases failing as read")
