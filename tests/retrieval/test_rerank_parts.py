"""The re-ranker's parts: feature columns and weights paired by name; the store's vector methods it relies on."""

from __future__ import annotations

import numpy as np

from retrieval.models import SearchConstraints
from retrieval.rerank import FEATURES, Feature, RerankWeights


def test_every_feature_column_has_the_weight_of_its_name() -> None:
    assert set(RerankWeights.model_fields) - {"source"} == set(FEATURES) == {f.value for f in Feature}
    weights = RerankWeights(**{name: float(i) for i, name in enumerate(FEATURES)})
    assert weights.vector().tolist() == [weights.named()[name] for name in FEATURES]


def test_nearest_keeps_to_the_constraints_closest_first(demo_store) -> None:  # type: ignore[no-untyped-def]
    shoes = [p for p in demo_store.products() if p.leaf_category == "Sneakers"] or demo_store.products()
    anchor = shoes[0]
    vector = demo_store.vectors([anchor.id])[0].astype(np.float64)
    constraints = SearchConstraints(category=anchor.category[0], exclude_ids=[anchor.id])
    found = demo_store.nearest(vector, constraints, 10)
    assert found and all(constraints.matches(p) for p in found) and anchor.id not in {p.id for p in found}
    similarities = demo_store.vectors([p.id for p in found]) @ vector
    assert similarities.tolist() == sorted(similarities.tolist(), reverse=True)
    assert demo_store.vectors([anchor.id, "no-such-product"]) is None
    assert demo_store.embed_query("running shoes").shape == vector.shape
