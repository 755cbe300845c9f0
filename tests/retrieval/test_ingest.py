"""Catalog ingestion into a real embedded Chroma: idempotent, incremental, bad rows reported and skipped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.errors import UserError
from core.settings import Settings
from retrieval.ingest import ingest
from retrieval.product_store import HybridProductStore
from tests.conftest import DEMO_CATALOG


def _rows(n: int) -> list[dict]:
    return [
        {"id": f"T{i}", "title": f"Trail Lamp {i}", "brand": "Glowix", "category": "Home Decor > Lighting > Desk Lamps",
         "price": 10 + i, "attributes": {"color": "Black"}, "stock": 3}
        for i in range(n)
    ]


def _write_jsonl(path: Path, rows: list[object]) -> Path:
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n")
    return path


def test_second_ingest_of_the_same_file_embeds_nothing(demo_store, demo_settings: Settings, embedder) -> None:  # type: ignore[no-untyped-def]
    report = ingest([DEMO_CATALOG], demo_settings, embedder=embedder, progress=False)
    assert report.embedded == 0
    assert report.unchanged == report.valid_rows == len(demo_store.products()) >= 1500


def test_changed_rows_are_re_embedded_and_replace_removes(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(home=tmp_path / "home")
    rows = _rows(6)
    first = ingest([_write_jsonl(tmp_path / "c.jsonl", rows)], settings, embedder=embedder, progress=False)
    assert (first.embedded, first.total_in_store) == (6, 6)
    rows[2]["price"] = 99.5
    second = ingest([_write_jsonl(tmp_path / "c.jsonl", rows[:5])], settings, embedder=embedder, progress=False, replace=True)
    assert (second.embedded, second.unchanged, second.removed, second.total_in_store) == (1, 4, 1, 5)
    store = HybridProductStore.open(settings, embedder)
    assert store.get("T2").price == 99.5 and store.get("T5") is None


def test_bad_rows_are_reported_with_location_and_skipped(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    good = _rows(3)
    bad_price = dict(good[0], id="B1", price=-5)
    no_title = {k: v for k, v in good[0].items() if k != "title"} | {"id": "B2"}
    path = _write_jsonl(tmp_path / "mixed.jsonl", [good[0], bad_price, "{not json", good[1], no_title, good[2]])
    report = ingest([path], Settings(home=tmp_path / "home"), embedder=embedder, progress=False)
    assert report.valid_rows == 3 and report.invalid_rows == 3
    locations = {e.location for e in report.errors}
    assert {"mixed.jsonl:2", "mixed.jsonl:3", "mixed.jsonl:5"} <= {loc.split("/")[-1] for loc in locations}
    assert any("price" in e.reason for e in report.errors) and any("title" in e.reason for e in report.errors)


def test_a_file_with_no_valid_row_fails_clearly(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    path = _write_jsonl(tmp_path / "bad.jsonl", [{"id": "x"}, "nope"])
    with pytest.raises(UserError):
        ingest([path], Settings(home=tmp_path / "home"), embedder=embedder, progress=False)
