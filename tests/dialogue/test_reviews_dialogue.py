"""'What do people say about it' on a catalog with review texts (Magento Luma and its reviews table, shipped
mapping): the reply quotes the product's own reviews, word for word, and counts them."""

from __future__ import annotations

from dialogue.reply_facts import AnswerFacts


def test_reviewers_are_quoted_from_the_products_own_reviews(catalog_assistant) -> None:  # type: ignore[no-untyped-def]
    luma = catalog_assistant(("magento-luma", "configurable_products.csv"), "magento_luma.yml")
    conversation = luma.start("review-reader")
    cards = luma.handle(conversation, "review-reader", "show me jackets").plan.products
    position = next(i for i, card in enumerate(cards[:3]) if (p := luma.products.get(card.product_id)) and p.reviews)
    product = luma.products.get(cards[position].product_id)
    ordinal = ("first", "second", "third")[position]
    reply = luma.handle(conversation, "review-reader", f"what do people say about the {ordinal} one")
    facts = reply.plan.facts_as(AnswerFacts)
    assert reply.plan.action == "answer_question" and facts.known and facts.kind == "reviews", reply.text
    quotes = [part.split("”")[0] for part in reply.text.split("“")[1:]]
    corpus = " ".join(r.text for r in product.reviews)
    assert quotes and all(q.removesuffix(" …") in corpus for q in quotes), (quotes, corpus[:300])
    assert f"{len(product.reviews)} review texts" in reply.text
