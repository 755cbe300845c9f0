"""The turn benchmark (``shopassist bench turn``): both variants on the demo store, every stage reported, a plot."""

from __future__ import annotations

from pathlib import Path

from core.settings import Settings


def test_turn_bench_runs_both_variants_and_plots(demo_settings: Settings, demo_store, nlu_model_dir: Path,  # type: ignore[no-untyped-def]
                                                 tmp_path: Path) -> None:
    from lab.bench.turn import plot_runs, run_variant

    demo_settings.models_dir.mkdir(parents=True, exist_ok=True)
    if not demo_settings.nlu_model_dir.exists():
        demo_settings.nlu_model_dir.symlink_to(nlu_model_dir, target_is_directory=True)
    runs = [run_variant(demo_settings, variant, conversations=2, seed=3, progress=False) for variant in ("fp32", "optimised")]
    for run in runs:
        assert run.turns >= 16 and run.products == len(demo_store.products())
        assert run.total.p50_ms > 0 and run.total.p95_ms >= run.total.p50_ms
        assert {"nlu.intent", "retrieval.embed", "rerank", "state.store"} <= set(run.stages)
        assert run.actions.get("show_products", 0) > 0 and run.actions.get("compare", 0) > 0, run.actions
    assert plot_runs(runs, tmp_path / "turn.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
