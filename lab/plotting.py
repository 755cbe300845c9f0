"""matplotlib for the lab's plots (the ``lab`` extra), headless, with a clear error where it is not installed."""

from __future__ import annotations

from typing import Any

from core.errors import UserError


def pyplot() -> Any:
    """``matplotlib.pyplot`` on the Agg backend."""
    try:
        import matplotlib
    except ImportError as exc:
        raise UserError("plots need matplotlib: pip install -e '.[lab]' (scripts/test.sh installs it)") from exc
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt
