"""The layers are enforced: import-linter's contracts (pyproject.toml, ``[tool.importlinter]``) hold on the tree, and
they do fail when a lower layer imports a higher one."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("core", "retrieval", "dialogue", "assistant", "ui", "api", "lab", "cli")


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` on the packages under ``root`` (their own copy first on the path)."""
    command = [str(Path(sys.executable).with_name("lint-imports")), str(root / "pyproject.toml"), "--no-cache", "--no-logo"]
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=300)


def test_the_layer_contracts_hold() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout and "KEPT" in result.stdout


def test_a_forbidden_import_breaks_the_contracts(tmp_path: Path) -> None:
    """A copy of the tree where the base layer imports the lab: the contracts must catch it."""
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__", "*.onnx"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    errors = tmp_path / "core" / "errors.py"
    errors.write_text(errors.read_text() + "\nimport lab.bench.turn  # noqa: E402,F401 - the violation under test\n")
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert "core.errors -> lab.bench.turn" in result.stdout, result.stdout
