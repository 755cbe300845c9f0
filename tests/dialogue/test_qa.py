"""Product questions answered from catalog facts (dialogue/qa): units read as numbers, question shapes, the
attribute a question means, yes/no with variant stock, superlatives, filters, reviews, and "the catalog doesn't say"."""

from __future__ import annotations

import pytest

from dialogue.qa.answers import Mentioned, answer
from dialogue.qa.attributes import AttributeMatcher
from dialogue.qa.questions import read_question
from dialogue.qa.quantities import parse_quantity
from dialogue.qa.reviews import summarize_reviews
from retrieval.models import Product


def _product(pid: str, title: str, **fields: object) -> Product:
    return Product.model_validate({"id": pid, "title": title, "category": ["Electronics", "Laptops"], "price": 100.0, **fields})


@pytest.mark.parametrize(("text", "value", "family"), [
    ("5,000 mAh", 5000, "charge"), ("18 hours", 18, "time"), ("7 days", 168, "time"), ("6.4 inches", 6.4, "length"),
    ("1 TB SSD", 1000, "data"), ("512 GB SSD", 512, "data"), ("44 dBA", 44, "sound"), ("2.5 lbs", 2.5 * 453.6, "weight"),
    ("3/4 in", 0.75, "length"), ("4K", 2160, "resolution"), ("12 pieces", 12, "count"),
])
def test_values_with_units_read_as_numbers_in_a_base_unit(text: str, value: float, family: str) -> None:
    quantity = parse_quantity(text)
    assert quantity is not None and quantity.family == family and quantity.value == pytest.approx(value, rel=1e-3)


@pytest.mark.parametrize(("text", "kind"), [
    ("which one has the longest battery life", "superlative"), ("best rated?", "superlative"),
    ("which is cheaper, the first or the second", "pairwise"), ("which of these are under $50", "filter"),
    ("is it waterproof", "yes_no"), ("the second one, is it waterproof?", "yes_no"), ("does it come in black", "yes_no"),
    ("what is the second one made of", "lookup"), ("battery life of the first", "lookup"),
    ("what do people say about the second one", "reviews"), ("tell me more about it", "overview"),
    ("show me the second one", "overview"), ("details on the third one please", "overview"), ("describe it", "overview"),
    ("tell me about the battery life of the second one", "lookup"), ("show me the blue one", "lookup"),
    ("show me more", "lookup"), ("介绍一下第二个", "overview"), ("这款详细说说", "overview"), ("第二个的屏幕参数", "lookup"),
])
def test_question_shapes(text: str, kind: str) -> None:
    references = 2 if "first or the second" in text else 1
    assert read_question(text, references).kind == kind


@pytest.mark.parametrize(("text", "attribute"), [
    ("how long does the battery last", "battery life"), ("which one is quieter", "noise level"),
    ("how wide is it", "width"), ("what's it made of", "material"), ("how much is it", "price"),
    ("how is the second one rated", "rating"), ("does the third one come with a carrying case", None),
])
def test_the_attribute_is_found_against_the_catalogs_own_names(text: str, attribute: str | None) -> None:
    keys = ["battery life", "noise level", "width", "material", "refresh rate", "third rack", "one-hand fold"]
    cue = read_question(text).cue
    assert AttributeMatcher(keys).match(text, cue) == attribute


def test_an_attribute_name_the_synonyms_do_not_know_is_found_by_embedding_similarity(embedder) -> None:  # type: ignore[no-untyped-def]
    matcher = AttributeMatcher(["runtime", "item weight", "colour family"], embed=embedder.embed_query)
    assert matcher.match("how heavy is the second one", None) == "item weight"


def test_superlative_compares_numbers_across_units_and_names_the_winner() -> None:
    shown = [_product("a", "Alpha", attributes={"battery life": ["18 hours"]}),
             _product("b", "Beta", attributes={"battery life": ["2 days"]}),
             _product("c", "Gamma")]
    result = answer(read_question("which one has the longest battery life"), "which one has the longest battery life", shown)
    assert result.known and result.product_ids[0] == "b"
    assert "Beta (2 days)" in result.sentences[0]
    assert any("doesn't list the battery life of the Gamma" in s for s in result.sentences), "a missing value is said"


def test_yes_no_with_variant_stock_and_a_plain_no_with_what_is_offered() -> None:
    shoe = _product("s", "Trail Shoe", variants=[
        {"sku": "s-9-blue", "attributes": {"size": "9", "color": "Blue"}, "stock": 4},
        {"sku": "s-10-blue", "attributes": {"size": "10", "color": "Blue"}, "stock": 0}])
    yes = answer(read_question("do you have it in size 9"), "do you have it in size 9", [shoe], Mentioned(sizes=["9"]))
    assert yes.verdict is True and "size 9, with 4 in stock" in yes.sentences[0]
    sold_out = answer(read_question("is it in size 10"), "is it in size 10", [shoe], Mentioned(sizes=["10"]))
    assert sold_out.verdict is True and "sold out in size 10" in sold_out.sentences[0]
    no = answer(read_question("does it come in black"), "does it come in black", [shoe], Mentioned(colors=["Black"]))
    assert no.verdict is False and "Blue" in no.sentences[0] and no.sentences[0].startswith("No")


def test_a_colour_the_product_lacks_names_the_products_in_view_that_have_it() -> None:
    blue = _product("b", "Calm Mat, Blue", attributes={"color": ["Blue"]})
    shown = [blue, _product("p", "Daily Mat, Purple", attributes={"color": ["Purple"]}),
             _product("g", "Satin Mat, Green", attributes={"color": ["Green"]})]
    result = answer(read_question("do you have it in purple"), "do you have it in purple", [blue], Mentioned(colors=["Purple"]),
                    others=shown)
    assert result.verdict is False and result.product_ids == ["b", "p"]
    assert result.sentences[1] == "The Daily Mat, Purple does come in Purple."
    assert [d.form for d in result.details] == ["offers", "alternative"]


def test_what_the_catalog_does_not_say_is_said_never_guessed() -> None:
    lamp = _product("l", "Desk Lamp", attributes={"dimmable": ["yes"]}, description="A lamp for reading.")
    result = answer(read_question("is it waterproof"), "is it waterproof", [lamp])
    assert not result.known and "doesn't say" in result.sentences[0]
    assert answer(read_question("is it dimmable"), "is it dimmable", [lamp]).verdict is True


def test_yes_no_attributes_read_as_adjectives_or_things_a_product_has() -> None:
    dishwasher = _product("d", "Dish 1", attributes={"third rack": ["no"], "lumbar support": ["no"]})
    assert answer(read_question("does it have a third rack"), "does it have a third rack", [dishwasher]).sentences == [
        "No — the Dish 1 does not have a third rack."]
    assert answer(read_question("does it have lumbar support"), "does it have lumbar support", [dishwasher]).sentences == [
        "No — the Dish 1 does not have lumbar support."]
    text = "is it programmable"
    assert answer(read_question(text), text, [dishwasher], known_keys=["programmable"]).sentences == [
        "The catalog doesn't say whether the Dish 1 is programmable."]


def test_how_big_means_a_dimension_the_products_have() -> None:
    matcher = AttributeMatcher(["width", "seats", "size", "color", "material"], present=["width", "seats"])
    assert matcher.match("how big is it", read_question("how big is it").cue) == "width"


def test_the_best_of_a_named_attribute_is_that_attributes_best() -> None:
    shown = [_product("a", "Alpha", price=300.0, rating=4.9, attributes={"camera": ["48 MP"]}),
             _product("b", "Beta", price=200.0, rating=3.0, attributes={"camera": ["108 MP"]})]
    for text, winner in [("which has the best camera", "b"), ("which has the best price", "b"), ("which is the best", "a"),
                         ("which has the worst camera", "a")]:
        assert answer(read_question(text), text, shown).product_ids[0] == winner, text


def test_a_graded_word_of_a_detail_none_of_them_lists() -> None:
    shown = [_product("a", "Alpha", attributes={"ram": ["8 GB"]}), _product("b", "Beta", attributes={"ram": ["16 GB"]})]
    text = "which is the lightest?"
    assert answer(read_question(text), text, shown).sentences == ["The catalog doesn't list the weight of either product."]


def test_best_reviews_compares_ratings_and_reviews_reads_them() -> None:
    assert read_question("which has the best reviews").kind == "superlative"
    assert read_question("which has the most reviews").cue == "reviews"
    assert read_question("what do people say about it").kind == "reviews"


def test_equal_ratings_rank_the_one_rated_by_more_shoppers_first() -> None:
    shown = [_product("a", "Alpha", rating=4.1, review_count=59), _product("b", "Beta", rating=4.1, review_count=450),
             _product("c", "Gamma", rating=3.3, review_count=1200)]
    best = answer(read_question("which one is the best?"), "which one is the best?", shown)
    assert best.product_ids == ["b", "a", "c"]
    assert best.sentences[0] == "Best rated: the Beta (4.1 out of 5 from 450 reviews)."
    worst = answer(read_question("which is the worst rated?"), "which is the worst rated?", shown)
    assert worst.product_ids == ["c", "b", "a"] and "1,200 reviews" in worst.sentences[0]


def test_filter_over_the_shown_products() -> None:
    shown = [_product("a", "Alpha", price=30.0), _product("b", "Beta", price=70.0), _product("c", "Gamma", price=45.0)]
    result = answer(read_question("which of these are under $50"), "which of these are under $50", shown, Mentioned(price_max=50))
    assert result.product_ids == ["a", "c"] and "2 of the 3 shown" in result.sentences[0]


def test_filter_on_a_feature_named_in_the_catalogs_words() -> None:
    shown = [_product("a", "Alpha", attributes={"panel": ["OLED"], "installation": ["built-in"]}),
             _product("b", "Beta", attributes={"panel": ["IPS"], "installation": ["portable"]})]
    text = "which are OLED?"
    result = answer(read_question(text), text, shown, Mentioned(features={"panel": ["OLED"]}))
    assert result.product_ids == ["a"] and result.sentences[0].startswith("1 of the 2 shown is OLED")
    text = "which ones are built-in?"  # no feature index: a value one of them has, word for word
    result = answer(read_question(text), text, shown)
    assert result.product_ids == ["a"] and "is built-in" in result.sentences[0]
    text = "which are mini-LED?"
    result = answer(read_question(text), text, shown, Mentioned(features={"panel": ["mini-LED"]}))
    assert result.sentences[0] == "None of the 2 shown is mini-LED."


def test_an_overview_gives_the_products_facts_as_the_catalog_writes_them() -> None:
    laptop = _product("a", "Alpha 14", price=679.99, rating=4.1, review_count=2350, stock=0,
                      attributes={"color": ["Gray"], "ram": ["16 GB"], "battery life": ["15 hours"]},
                      description="A light laptop. It runs all day. A third sentence.")
    result = answer(read_question("tell me more about it"), "tell me more about it", [laptop])
    assert result.known and result.kind == "overview" and result.product_ids == ["a"]
    assert result.sentences == [
        "The Alpha 14 costs $679.99 and is rated 4.1 out of 5 from 2,350 reviews; it is out of stock right now.",
        "Details: RAM: 16 GB; battery life: 15 hours; color: Gray.",  # colours and sizes last
        "From its description: A light laptop. It runs all day."]
    assert [d.form for d in result.details] == ["overview", "value", "value", "value"]


def test_a_price_asked_for_several_is_the_total_with_the_unit_price() -> None:
    laptop = _product("a", "Alpha 14", price=679.99)
    text = "how much would two of the first cost"
    result = answer(read_question(text), text, [laptop], Mentioned(quantity=2))
    assert result.sentences == ["2 × the Alpha 14 cost $1,359.98 ($679.99 each)."]
    assert result.details[0].quantity == 2 and result.details[0].price == 679.99


def test_a_question_no_attribute_answers_quotes_the_descriptions_that_speak_of_it() -> None:
    shown = [_product("a", "Alpha Sofa", description="Deep seats. Cushion covers zip off for cleaning."),
             _product("b", "Beta Sofa", description="A firm frame.")]
    result = answer(read_question("which one is easier to clean"), "which one is easier to clean", shown)
    assert result.known and result.product_ids == ["a"]
    assert result.sentences == ["No catalog detail ranks them on that.",
                                "From the Alpha Sofa's description: Cushion covers zip off for cleaning."]
    nothing = answer(read_question("which one is the most elegant"), "which one is the most elegant", shown)
    assert not nothing.known


def test_review_summary_quotes_reviewers_word_for_word() -> None:
    reviews = [{"text": "Great battery and a sharp screen. Light to carry.", "rating": 5},
               {"text": "The battery is great for travel.", "rating": 4},
               {"text": "Keyboard broke after a week.", "rating": 1}]
    product = _product("r", "Reviewed Laptop", reviews=reviews, rating=3.3, review_count=3)
    lines = summarize_reviews(product)
    texts = " ".join(r["text"] for r in reviews)  # type: ignore[index]
    quotes = [q for line in lines for q in line.split("“")[1:]]
    assert quotes and all(q.split("”")[0] in texts for q in quotes), lines
    assert "1 negative" in lines[0] and any(line.startswith("Complaints") for line in lines)
    assert summarize_reviews(_product("n", "No Reviews")) == []
