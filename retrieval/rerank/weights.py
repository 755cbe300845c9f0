"""The re-ranker's weights: one per feature column, named like the column; defaults from settings, fitted ones from
``home/models/<rerank_weights_file>`` (written by ``shopassist train reranker``)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
from pydantic import BaseModel

from core.settings import RerankSettings
from retrieval.rerank.features import FEATURES

log = logging.getLogger(__name__)


class RerankWeights(BaseModel):
    """One weight per feature (field name = column name in ``FEATURES``)."""

    relevance: float = 1.0
    rocchio: float = 2.0
    liked_similarity: float = 1.0
    attribute: float = 4.0
    novelty: float = 0.6
    price: float = 1.0
    profile: float = 0.3
    source: str = "settings"

    @classmethod
    def from_settings(cls, settings: RerankSettings) -> RerankWeights:
        return cls(**{name: getattr(settings, f"rerank_{name}") for name in FEATURES})

    @classmethod
    def load(cls, settings: RerankSettings) -> RerankWeights:
        """Fitted weights from ``home/models/<rerank_weights_file>`` when present, else the settings' weights."""
        path = weights_path(settings)
        if path.exists():
            try:
                data = json.loads(path.read_text())
                return cls(**{name: float(data["weights"][name]) for name in FEATURES}, source=str(path))
            except (KeyError, ValueError, TypeError) as exc:
                log.warning("reranker.weights_unreadable path=%s error=%s", path, exc)
        return cls.from_settings(settings)

    def named(self) -> dict[str, float]:
        """Feature name → weight (what the weights file stores)."""
        return {name: float(getattr(self, name)) for name in FEATURES}

    def vector(self) -> np.ndarray:
        """The weights in column order, so ``features @ vector()`` pairs each column with its own weight."""
        return np.array([getattr(self, name) for name in FEATURES], dtype=np.float64)


def weights_path(settings: RerankSettings) -> Path:
    return settings.models_dir / settings.rerank_weights_file

