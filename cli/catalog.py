"""``shopassist ingest``, ``embed``, ``prepare`` and ``catalog generate``: getting a catalog into the store."""

from __future__ import annotations

from pathlib import Path

import typer

from cli.output import JSON_HELP, console, emit
from core.settings import get_settings

catalog_app = typer.Typer(help="Demo and benchmark catalogs.", no_args_is_help=True)

CATALOG_FILES_HELP = "CSV, JSON or JSONL catalog files."
MAPPING_HELP = "YAML field mapping for a foreign catalog."


def ingest(
    paths: list[Path] = typer.Argument(..., exists=True, help=CATALOG_FILES_HELP),
    mapping: Path | None = typer.Option(None, "--mapping", exists=True, help=MAPPING_HELP),
    replace: bool = typer.Option(False, "--replace", help="Remove stored products that are not in PATHS."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Validate, embed and index a product catalog (idempotent, incremental)."""
    from retrieval.ingest import ingest as run_ingest

    report = run_ingest(paths, get_settings(), mapping_path=mapping, replace=replace, progress=not as_json)
    if as_json:
        emit(report, as_json=True)
        return
    for error in report.errors[:50]:
        console.print(f"[yellow]skipped[/] {error.location}: {error.reason}")
    if len(report.errors) > 50:
        console.print(f"[yellow]… and {len(report.errors) - 50} more bad rows[/]")
    console.print(
        f"[green]ingested[/] {report.valid_rows} valid rows ({report.invalid_rows} bad): {report.embedded} embedded, "
        f"{report.unchanged} unchanged, {report.removed} removed; {report.total_in_store} products in store; "
        f"{report.seconds:.1f} s ({report.embed_rate:.0f} products/s embedding)"
    )


def embed(
    paths: list[Path] = typer.Argument(..., exists=True, help=CATALOG_FILES_HELP),
    out: Path = typer.Option(..., "--out", help="The .npz cache to write (then ingest with SHOPASSIST_EMBEDDING_CACHE)."),
    mapping: Path | None = typer.Option(None, "--mapping", exists=True, help=MAPPING_HELP),
    device: str = typer.Option("cpu", "--device", help="cpu or cuda (embed a large catalog on a GPU host)."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Precompute product embeddings (e.g. on a GPU host) for a later `ingest` anywhere."""
    from lab.catalog.embed import embed_catalog

    report = embed_catalog(list(paths), out, get_settings(), mapping=mapping, device=device, progress=not as_json)
    emit(report, as_json=as_json, title="embeddings cached")


def prepare(as_json: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    """Make the embedded defaults ready: ingest the demo catalog (incremental) and train the intent model if missing."""
    from lab.prepare import prepare_home

    emit(prepare_home(get_settings(), progress=not as_json), as_json=as_json, title="ready")


@catalog_app.command("generate")
def catalog_generate(
    count: int = typer.Option(40_000, "--count", min=1, help="Number of products."),
    out: Path = typer.Option(..., "--out", help="JSONL file to write."),
    seed: int = typer.Option(7, "--seed"),
    lang: str = typer.Option("en", "--lang", help="en (data/catalog/categories.yml, USD) or zh (categories_zh.yml, CNY)."),
    spec: Path | None = typer.Option(None, "--spec", exists=True, help="Category spec to read (default: the language's)."),
) -> None:
    """Write a synthetic catalog (the demo catalog's generator, scaled); `--lang zh --count 1035` is the Chinese demo."""
    from lab.catalog.demo import LANGUAGES, generate_products, write_jsonl

    if lang not in LANGUAGES:
        raise typer.BadParameter(f"--lang must be one of {', '.join(sorted(LANGUAGES))}")
    written = write_jsonl(generate_products(count, seed=seed, spec_path=spec or LANGUAGES[lang][0]), out)
    console.print(f"wrote {written} products to {out}")
