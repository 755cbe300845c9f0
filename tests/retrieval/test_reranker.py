"""The feedback-aware re-ranker on the real demo store: exclusions, likes, price anchoring, true reasons."""

from __future__ import annotations

import json
import statistics

import numpy as np
import pytest

from core.settings import Settings
from retrieval.models import ProductHit, SearchConstraints
from retrieval.rerank import FEATURES, FeedbackContext, FeedbackReranker, FeedbackSignal, RerankWeights

K = 5


@pytest.fixture(scope="module")
def reranker(demo_store, demo_settings: Settings) -> FeedbackReranker:  # type: ignore[no-untyped-def]
    return FeedbackReranker(demo_settings, demo_store, RerankWeights.from_settings(demo_settings))


def pool(store, reranker: FeedbackReranker, query: str, constraints: SearchConstraints) -> list[ProductHit]:  # type: ignore[no-untyped-def]
    return store.search(query, constraints, reranker.pool_size(K))


def ids(hits: list[ProductHit]) -> list[str]:
    return [h.product.id for h in hits]


def test_without_feedback_the_retrieval_order_is_kept(demo_store, reranker: FeedbackReranker) -> None:  # type: ignore[no-untyped-def]
    constraints = SearchConstraints(category="Speakers")
    hits = pool(demo_store, reranker, "speakers", constraints)
    ranked = reranker.rerank("speakers", constraints, hits, FeedbackContext(), K)
    assert ids(ranked) == ids(hits[:K])
    assert all(h.reasons for h in ranked)


def test_a_ruled_out_brand_leaves_the_results_unless_asked_for(demo_store, reranker: FeedbackReranker) -> None:  # type: ignore[no-untyped-def]
    constraints = SearchConstraints(category="Speakers")
    hits = pool(demo_store, reranker, "speakers", constraints)
    brand = hits[0].product.brand
    assert brand
    context = FeedbackContext(signals=[FeedbackSignal(turn=0, kind="dislike", product_id=hits[0].product.id, detail=f"brand:{brand}")])
    ranked = reranker.rerank("speakers", constraints, hits, context, K)
    assert len(ranked) == K and all(h.product.brand != brand for h in ranked)
    # asked for by name (in the words or as a constraint): the brand is back
    asked = SearchConstraints(category="Speakers", brands_in=[brand])
    again = reranker.rerank(f"{brand} speakers", asked, pool(demo_store, reranker, f"{brand} speakers", asked), context, K)
    assert again and all(h.product.brand == brand for h in again)
    assert not any("ruled out" in r for h in again for r in h.reasons)


def test_a_ruled_out_brand_shown_only_when_nothing_else_is_left_says_so(demo_store, reranker: FeedbackReranker) -> None:  # type: ignore[no-untyped-def]
    constraints = SearchConstraints(category="Speakers")
    hits = pool(demo_store, reranker, "speakers", constraints)
    brand = hits[0].product.brand
    only_brand = [h for h in hits if h.product.brand == brand]
    context = FeedbackContext(signals=[FeedbackSignal(turn=0, kind="dislike", detail=f"brand:{brand}")])
    ranked = reranker.rerank("speakers", constraints, only_brand, context, K)
    assert ranked and all(f"{brand}, which you ruled out, is ranked lower" in h.reasons for h in ranked)


def test_a_like_pulls_similar_products_up(demo_store, reranker: FeedbackReranker) -> None:  # type: ignore[no-untyped-def]
    constraints = SearchConstraints(category="Shoes")
    hits = pool(demo_store, reranker, "show me some shoes", constraints)
    before = hits[:K]
    liked = next(h.product for h in hits[K:] if h.product.leaf_category not in {b.product.leaf_category for b in before[:2]})
    shown = ids(before)
    context = FeedbackContext(signals=[FeedbackSignal(turn=1, kind="like", product_id=liked.id)],
                              shown_counts={pid: 1 for pid in shown}, shown_by_turn={1: shown})
    ranked = reranker.rerank("show me some shoes", constraints.model_copy(update={"exclude_ids": shown}),
                             [h for h in hits if h.product.id not in shown], context, K)
    vectors = reranker.vectors
    sim_before = float(np.mean(vectors.get(ids(before)) @ vectors.get([liked.id])[0]))
    sim_after = float(np.mean(vectors.get(ids(ranked)) @ vectors.get([liked.id])[0]))
    assert sim_after > sim_before
    same_type = sum(h.product.leaf_category == liked.leaf_category for h in ranked)
    assert same_type > sum(h.product.leaf_category == liked.leaf_category for h in before)
    assert any(r == f"similar to the {liked.title} you liked" for h in ranked for r in h.reasons)


def test_attribute_preference_keeps_telling_products_apart_as_likes_accumulate(demo_store, reranker: FeedbackReranker) -> None:  # type: ignore[no-untyped-def]
    """Many likes of one kind must not flatten the attribute feature: it keeps several values, and the product sharing
    the most facts with the liked ones outscores the one sharing the fewest."""
    products = [p for p in demo_store.products() if p.leaf_category == "Strollers"]
    liked = products[:6]
    context = FeedbackContext(signals=[FeedbackSignal(turn=1 + i // 2, kind="like", product_id=p.id) for i, p in enumerate(liked)])
    hits = [ProductHit(product=p, score=1.0) for p in products[6:]]
    matrix, _ = reranker.features("strollers", hits, context)
    attribute = matrix[:, FEATURES.index("attribute")]
    assert -1.0 <= attribute.min() and attribute.max() <= 1.0
    assert len(set(np.round(attribute, 6))) > 3  # not saturated at one value

    def shared(product) -> int:  # type: ignore[no-untyped-def]
        facts = {(k, v) for p in liked for k, v, s in reranker.facts(p) if s == 1.0}
        return sum((k, v) in facts for k, v, s in reranker.facts(product) if s == 1.0)

    most, least = max(hits, key=lambda h: shared(h.product)), min(hits, key=lambda h: shared(h.product))
    assert shared(most.product) > shared(least.product)
    assert attribute[hits.index(most)] > attribute[hits.index(least)]


def test_too_expensive_lowers_the_price_band(demo_store, reranker: FeedbackReranker) -> None:  # type: ignore[no-untyped-def]
    constraints = SearchConstraints(category="Smartwatches")
    hits = pool(demo_store, reranker, "smartwatches", constraints)
    shown = ids(hits[:K])
    context = FeedbackContext(signals=[FeedbackSignal(turn=1, kind="too_expensive")], shown_counts={pid: 1 for pid in shown},
                              shown_by_turn={0: shown})
    ranked = reranker.rerank("smartwatches", constraints, hits, context, K)
    reference = statistics.median(h.product.price for h in hits[:K])
    assert statistics.median(h.product.price for h in ranked) < reference
    for hit in ranked:
        assert ("cheaper than what you saw" in hit.reasons) == (hit.product.price < reference)


def test_every_reason_is_true(demo_store, reranker: FeedbackReranker, demo_settings: Settings) -> None:  # type: ignore[no-untyped-def]
    constraints = SearchConstraints(category="Home Decor")
    hits = pool(demo_store, reranker, "home decor", constraints)
    liked, disliked = hits[1].product, hits[2].product
    context = FeedbackContext(
        signals=[FeedbackSignal(turn=1, kind="like", product_id=liked.id), FeedbackSignal(turn=1, kind="dislike", product_id=disliked.id),
                 FeedbackSignal(turn=1, kind="dislike", detail=f"brand:{disliked.brand}"), FeedbackSignal(turn=2, kind="too_expensive")],
        shown_counts={h.product.id: 1 for h in hits[:K]}, shown_by_turn={1: ids(hits[:K])},
    )
    ranked = reranker.rerank("home decor", constraints, hits, context, K)
    reference = statistics.median(h.product.price for h in hits[:K])
    assert ranked
    for hit in ranked:
        assert hit.reasons
        product = hit.product
        for reason in hit.reasons:
            if reason.startswith("similar to the "):
                assert reason == f"similar to the {liked.title} you liked" and product.id != liked.id
                cosine = float(reranker.vectors.get([product.id])[0] @ reranker.vectors.get([liked.id])[0])
                assert cosine >= demo_settings.rerank_similar_reason - 1e-6
            elif reason == "cheaper than what you saw":
                assert product.price < reference
            elif reason.endswith("which you ruled out, is ranked lower"):
                assert product.brand == disliked.brand
            elif reason.endswith(", like what you liked"):
                for fact in reason.removesuffix(", like what you liked").split(", "):
                    if fact.endswith(" price"):
                        assert reranker.bands.band(product) == reranker.bands.band(liked) == fact.removesuffix(" price")
                    else:
                        assert fact in {product.brand, *product.values("color"), *product.values("material")}
                        assert fact in {liked.brand, *liked.values("color"), *liked.values("material")}
            elif reason.startswith("matches "):
                assert constraints.matches(product)
        assert product.brand != disliked.brand or any("ruled out" in r for r in hit.reasons)


def test_reranking_is_deterministic(demo_store, reranker: FeedbackReranker) -> None:  # type: ignore[no-untyped-def]
    constraints = SearchConstraints(category="Rugs")
    hits = pool(demo_store, reranker, "rugs", constraints)
    context = FeedbackContext(signals=[FeedbackSignal(turn=1, kind="like", product_id=hits[3].product.id)],
                              shown_counts={h.product.id: 1 for h in hits[:K]})
    first = reranker.rerank("rugs", constraints, hits, context, K)
    assert [(h.product.id, h.score) for h in first] == [(h.product.id, h.score) for h in reranker.rerank("rugs", constraints, hits, context, K)]


def test_fitted_weights_are_loaded_when_present(demo_settings: Settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = demo_settings.model_copy(update={"home": tmp_path})
    assert RerankWeights.load(settings).source == "settings"
    settings.models_dir.mkdir(parents=True)
    weights = {name: float(i) for i, name in enumerate(FEATURES)}
    (settings.models_dir / settings.rerank_weights_file).write_text(json.dumps({"weights": weights}))
    loaded = RerankWeights.load(settings)
    assert loaded.vector().tolist() == [float(i) for i in range(len(FEATURES))]
    assert loaded.source.endswith("reranker.json")
