"""``shopassist`` command line: the root app. Each command group lives in a module of its own (cli/catalog.py,
cli/conversation.py, cli/bench.py, cli/nlu.py, cli/qa.py, cli/search.py, cli/feedback.py, cli/llm.py, cli/serve.py) and each command only
parses its options and calls one library function; this module wires them together."""

from __future__ import annotations

import os
import sys

import typer

from cli.bench import bench_app
from cli.catalog import catalog_app, embed, ingest, prepare
from cli.conversation import ask, chat, test_dialogues
from cli.feedback import bench_feedback, export_app, train_reranker
from cli.llm import bench_generate, bench_grounding, llm_app
from cli.nlu import eval_app, train_app
from cli.output import console
from cli.qa import eval_qa  # noqa: F401 - registers `eval qa`
from cli.search import eval_search  # noqa: F401 - registers `eval search`
from cli.report import report
from cli.serve import bench_serve, serve
from core.errors import ShopAssistError

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

app = typer.Typer(help="ShopAssist: a multi-turn conversational shopping assistant.", no_args_is_help=True)
app.add_typer(catalog_app, name="catalog")
app.add_typer(bench_app, name="bench")
app.add_typer(train_app, name="train")
app.add_typer(eval_app, name="eval")
app.add_typer(llm_app, name="llm")
app.add_typer(export_app, name="export")


@app.callback()
def main(verbose: bool = typer.Option(False, "--verbose", "-v", help="Log debug output.")) -> None:
    from core.logs import configure

    configure(verbose)


app.command("ingest")(ingest)
app.command("embed")(embed)
app.command("prepare")(prepare)
app.command("ask")(ask)
app.command("chat")(chat)
app.command("test")(test_dialogues)
app.command("serve")(serve)
app.command("report")(report)
bench_app.command("serve")(bench_serve)
bench_app.command("feedback")(bench_feedback)
bench_app.command("generate")(bench_generate)
bench_app.command("grounding")(bench_grounding)
train_app.command("reranker")(train_reranker)


def run() -> None:
    """Entry point that turns ShopAssist's own errors into a one-line message and exit code 2."""
    try:
        app()
    except ShopAssistError as exc:
        console.print(f"[red]error:[/] {exc}")
        sys.exit(2)


if __name__ == "__main__":
    run()
