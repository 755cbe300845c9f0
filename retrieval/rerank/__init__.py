"""Feedback-aware re-ranking: retrieval relevance combined with a per-conversation preference model.

A pool of retrieval candidates (larger than a page) is scored as ``features @ weights`` where the features
(``features.FEATURES``; each weight in ``weights.RerankWeights`` is named like its column) are

* ``relevance``         — the retrieval score scaled to 0..1 over the pool;
* ``rocchio``           — how much closer the product is to the query vector moved toward liked and away from
                          disliked products (Rocchio) than to the query itself;
* ``liked_similarity``  — cosine similarity to the closest liked product, centred on the pool;
* ``attribute``         — learned brand / colour / material / type / price-band preferences (likes +, dislikes −,
                          a dislike weighing mostly on the kind of product);
* ``novelty``           — −1 for products already shown and passed over (neither liked nor added to the cart);
* ``price``             — price anchoring after "too expensive" (cheaper is better) or "more premium";
* ``profile``           — the sender's long-term preferences (liked brands, sizes, price level), a gentle bias.

Brands the shopper ruled out explicitly are hard-excluded (shown last, and said so, only if nothing else is left)
unless the request asks for them. Every hit gets short, true reasons. Everything is deterministic: ties break on
the retrieval order.

Modules: ``signals`` (the feedback context), ``weights`` (weights and their file), ``bands`` (price bands),
``vectors`` (product and query vectors, Rocchio), ``features`` (the named feature columns), ``scoring`` (the pool,
the ranking and the reasons). The store is reached only through the ``ProductStore`` protocol.
"""

from retrieval.rerank.bands import BANDS, PriceBands
from retrieval.rerank.features import FEATURES, Feature, attribute_values, feature_rows
from retrieval.rerank.scoring import FeedbackReranker, with_reason
from retrieval.rerank.signals import FeedbackContext, FeedbackSignal, ProfileSignals
from retrieval.rerank.vectors import ProductVectors
from retrieval.rerank.weights import RerankWeights, weights_path

__all__ = [
    "BANDS", "FEATURES", "Feature", "FeedbackContext", "FeedbackReranker", "FeedbackSignal", "PriceBands", "ProductVectors",
    "ProfileSignals", "RerankWeights", "attribute_values", "feature_rows", "weights_path", "with_reason",
]
