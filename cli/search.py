"""``shopassist eval search``: Chinese product search by product encoder (lab/eval/search.py)."""

from __future__ import annotations

from pathlib import Path

import typer

from cli.nlu import eval_app
from cli.output import JSON_HELP, console, emit
from core.settings import get_settings


@eval_app.command("search")
def eval_search(
    encoder: list[str] = typer.Option(["minilm", "e5-small"], "--encoder", help="Product encoders to compare; repeat the option."),
    catalog: Path | None = typer.Option(None, "--catalog", help="Catalog (default: the Chinese demo catalog)."),
    queries: Path | None = typer.Option(None, "--queries", help="Labelled queries (default: lab/eval/data/search_zh.yml)."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Recall@5 / nDCG@5 of BM25, dense and hybrid search, query-encoding latency and ingest time, per encoder."""
    from lab.eval.search import QUERIES_FILE, ZH_CATALOG, evaluate_search

    unknown = set(encoder) - {"minilm", "e5-small"}
    if unknown:
        raise typer.BadParameter(f"unknown encoder(s): {', '.join(sorted(unknown))}")
    report = evaluate_search(get_settings(), encoder, catalog=catalog or ZH_CATALOG, queries_file=queries or QUERIES_FILE,  # type: ignore[arg-type]
                             progress=not as_json)
    if as_json:
        emit(report, as_json=True)
        return
    console.print(f"[bold]{report.catalog}[/]: {report.products} products, {report.queries} queries, k={report.k}")
    for run in report.runs:
        console.print(f"[bold]{run.encoder}[/] ({run.model}, {run.variant}): ingest {run.ingest_seconds} s, "
                      f"query encode p50 {run.query_encode_p50_ms} ms")
        for mode in ("bm25", "dense", "hybrid"):
            s = getattr(run, mode)
            console.print(f"  {mode:6} recall@5 {s.all.recall:.3f} nDCG@5 {s.all.ndcg:.3f} | synonyms {s.synonym.recall:.3f}/"
                          f"{s.synonym.ndcg:.3f} | no shared characters ({s.no_shared_characters.queries}) "
                          f"{s.no_shared_characters.recall:.3f}/{s.no_shared_characters.ndcg:.3f}")
