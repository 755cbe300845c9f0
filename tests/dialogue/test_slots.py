"""Slot extraction against a small in-test catalog: table-driven utterances → exact slots, plus the vocabulary."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dialogue.slots import Reference, SlotExtractor, SlotOptions, Slots, extract_bare_price
from dialogue.vocabulary import CatalogVocabulary, Tier
from retrieval.models import Product, SearchConstraints


def _product(i: int, title: str, brand: str, category: list[str], price: float, **attributes: list[str]) -> Product:
    return Product(id=f"P{i}", title=title, brand=brand, category=category, price=price, attributes=attributes, rating=4.2,
                   stock=5, description=f"A {title.lower()} that works well every day.")


PRODUCTS = [
    _product(1, "Stridewell Tempo Running Shoes", "Stridewell", ["Shoes", "Running Shoes"], 89.0, color=["Red", "Black"], size=["9", "10", "11"], material=["Mesh"]),
    _product(2, "Acme Glide Running Shoes", "Acme", ["Shoes", "Running Shoes"], 129.0, color=["Blue", "White"], size=["10", "11"], material=["Mesh"]),
    _product(3, "Acme Court Sneakers", "Acme", ["Shoes", "Sneakers"], 69.0, color=["White"], size=["9", "10"], material=["Leather"]),
    _product(4, "Nordvik Quiet 44 dB Dishwasher", "Nordvik", ["Appliances", "Dishwashers"], 549.0, color=["Silver"], material=["Stainless Steel"]),
    _product(5, "Glowix Arc LED Desk Lamp", "Glowix", ["Home Decor", "Lighting", "Desk Lamps"], 35.0, color=["Black", "White"], material=["Aluminum"]),
    _product(6, "Glowix Halo Floor Lamp", "Glowix", ["Home Decor", "Lighting", "Floor Lamps"], 120.0, color=["Gray"], material=["Metal"]),
    _product(7, "Acme Pulse Wireless Headphones", "Acme", ["Electronics", "Audio", "Headphones"], 199.0, color=["Black"], material=["Plastic"]),
    _product(8, "Nordvik Air 14 Laptop", "Nordvik", ["Electronics", "Computers", "Laptops"], 999.0, color=["Gray"], material=["Aluminum"]),
    _product(9, "Acme Vision 55 inch TV", "Acme", ["Electronics", "TV & Video", "TVs"], 499.0, color=["Black"]),
    _product(10, "Nordvik Harlow Sofa", "Nordvik", ["Furniture", "Living Room", "Sofas"], 899.0, color=["Gray", "Blue"], material=["Leather", "Fabric"]),
    _product(11, "Nordvik Cloud Mattress", "Nordvik", ["Furniture", "Bedroom", "Mattresses"], 699.0, size=["Queen", "King", "Twin"], material=["Foam"]),
    _product(12, "Stridewell Everyday Hoodie", "Stridewell", ["Clothing", "Hoodies"], 45.0, color=["Black", "Green"], size=["S", "M", "L", "XL"], material=["Cotton", "Faux Leather"]),
    _product(13, "Acme Scribe Notebook", "Acme", ["Office", "Paper", "Notebooks"], 12.0, color=["Red"], size=["A5", "Pocket"]),
    _product(14, "Glowix Galaxy Puzzle", "Glowix", ["Toys & Games", "Puzzles"], 25.0, color=["Multicolor"]),
]
#: Rasa-style user synonyms (variant → canonical); "refrigerator" and "wood" are not sold, so those are dropped.
USER_SYNONYMS = {"fridge": "refrigerator", "hoody": "hoodie", "med": "M", "wooden": "wood", "kicks": "sneakers"}
VOCAB = CatalogVocabulary.from_products(PRODUCTS, USER_SYNONYMS)
EXTRACTOR = SlotExtractor(VOCAB)


def _ord(*indexes: int) -> list[dict[str, Any]]:
    return [{"kind": "ordinal", "index": i} for i in indexes]


def _ref(kind: str, **fields: Any) -> dict[str, Any]:
    return {"kind": kind, **fields}


CASES: list[tuple[str, dict[str, Any]]] = [
    # prices
    ("running shoes under $50", {"category": "Running Shoes", "price_max": 50.0}),
    ("desk lamps below 50 dollars", {"category": "Desk Lamps", "price_max": 50.0}),
    ("laptops for less than $1,200", {"category": "Laptops", "price_max": 1200.0}),
    ("< 30", {"price_max": 30.0}),
    ("no more than 80", {"price_max": 80.0}),
    ("headphones max 100", {"category": "Headphones", "price_max": 100.0}),
    ("between $20 and $40", {"price_min": 20.0, "price_max": 40.0}),
    ("$20-$40", {"price_min": 20.0, "price_max": 40.0}),
    ("20 to 40 bucks", {"price_min": 20.0, "price_max": 40.0}),
    ("a sofa around $300", {"category": "Sofas", "price_min": 255.0, "price_max": 345.0}),
    ("about 300", {"price_min": 255.0, "price_max": 345.0}),
    ("more than $100", {"price_min": 100.0}),
    ("over 100", {"price_min": 100.0}),
    ("at least $50", {"price_min": 50.0}),
    ("sofas under $1.5k", {"category": "Sofas", "price_max": 1500.0}),
    ("laptops under 2k", {"category": "Laptops", "price_max": 2000.0}),
    ("under 1.2k", {"price_max": 1200.0}),
    ("a $40 lamp", {"category": "Lighting", "price_max": 40.0}),
    ("2 year warranty under $300", {"price_max": 300.0}),
    ("kids under 10", {}),
    ("it costs $45 now", {"references": [_ref("focus")]}),
    ("cheaper", {"price_hint": "cheaper"}),
    ("something less expensive", {"price_hint": "cheaper"}),
    ("these are too expensive", {"price_hint": "cheaper", "references": [_ref("all")]}),
    ("cheap headphones", {"category": "Headphones", "price_hint": "cheaper"}),
    ("more premium", {"price_hint": "more_premium"}),
    ("anything higher end?", {"price_hint": "more_premium"}),
    ("show me fancier ones", {"price_hint": "more_premium"}),
    # ratings
    ("4 stars and up", {"rating_min": 4.0}),
    ("at least 4 stars", {"rating_min": 4.0}),
    ("headphones rated 4.5+", {"category": "Headphones", "rating_min": 4.5}),
    ("4+ stars", {"rating_min": 4.0}),
    ("well rated desk lamps", {"category": "Desk Lamps", "rating_min": 4.0}),
    # quantities
    ("add 2 of them", {"quantity": 2}),
    ("three of the second one", {"quantity": 3, "references": _ord(2)}),
    ("x3", {"quantity": 3}),
    ("qty 4", {"quantity": 4}),
    ("give me 2 pairs", {"quantity": 2}),
    ("add a pair of them", {"quantity": 2}),
    ("I'll take a pair of running shoes", {"category": "Running Shoes"}),
    ("add 3 of the first one in size 10", {"sizes": ["10"], "quantity": 3, "references": _ord(1)}),
    # references
    ("the second one", {"references": _ord(2)}),
    ("the 2nd", {"references": _ord(2)}),
    ("#3", {"references": _ord(3)}),
    ("number 3", {"references": _ord(3)}),
    ("option 3", {"references": _ord(3)}),
    ("compare the first two", {"references": _ord(1, 2)}),
    ("compare 1 and 3", {"references": _ord(1, 3)}),
    ("1, 2 and 3", {"references": _ord(1, 2, 3)}),
    ("#2 and #4", {"references": _ord(2, 4)}),
    ("the last one", {"references": [_ref("last")]}),
    ("both", {"references": [_ref("both")]}),
    ("all of them", {"references": [_ref("all")]}),
    ("I like that one", {"references": [_ref("focus")]}),
    ("add it to my cart", {"references": [_ref("focus")]}),
    ("the blue one", {"references": [_ref("attribute", key="color", value="Blue")]}),
    ("the one in blue", {"references": [_ref("attribute", key="color", value="Blue")]}),
    ("the Acme one", {"references": [_ref("attribute", key="brand", value="Acme")]}),
    ("compare the Acme one and the Glowix one",
     {"references": [_ref("attribute", key="brand", value="Acme"), _ref("attribute", key="brand", value="Glowix")]}),
    ("add the Tempo one to my cart", {"references": [_ref("name", value="Tempo")]}),
    ("add the cheaper one to my cart", {"references": [_ref("cheapest")]}),
    ("compare the two cheapest", {"references": [_ref("cheapest", index=1), _ref("cheapest", index=2)]}),
    ("the 3 most expensive ones", {"references": [_ref("priciest", index=i) for i in (1, 2, 3)]}),
    ("add the better one", {"references": [_ref("graded", value="better")]}),
    ("is the lighter one waterproof?", {"references": [_ref("graded", value="lighter")]}),
    ("the top-rated one please", {"references": [_ref("graded", value="top rated")]}),
    ("which has the best reviews", {}),
    ("show me the best laptops", {"category": "Laptops"}),
    ("the first time I ordered", {}),
    # negations
    ("not Acme", {"brands_out": ["Acme"]}),
    ("no Acme", {"brands_out": ["Acme"]}),
    ("headphones, anything but Acme", {"category": "Headphones", "brands_out": ["Acme"]}),
    ("running shoes except Stridewell", {"category": "Running Shoes", "brands_out": ["Stridewell"]}),
    ("something other than Nordvik", {"brands_out": ["Nordvik"]}),
    ("not Acme or Glowix", {"brands_out": ["Acme", "Glowix"]}),
    ("no leather", {"materials_out": ["Leather"]}),
    ("sofa without leather", {"category": "Sofas", "materials_out": ["Leather"]}),
    ("leather-free sofa", {"category": "Sofas", "materials_out": ["Leather"]}),
    ("leather sofas, no fabric", {"category": "Sofas", "materials": ["Leather"], "materials_out": ["Fabric"]}),
    ("hoodies, not red", {"category": "Hoodies", "colors_out": ["Red"]}),
    ("hoodies that aren't black", {"category": "Hoodies", "colors_out": ["Black"]}),
    ("I don't want black", {"colors_out": ["Black"]}),
    ("red, not blue", {"colors": ["Red"], "colors_out": ["Blue"]}),
    ("not that brand", {"brands_out_focus": True}),
    ("make the second one 3", {"quantity": 3, "quantity_fix": True, "references": [_ref("ordinal", index=2)]}),
    ("change the blue one to 2", {"quantity": 2, "quantity_fix": True, "references": [_ref("attribute", key="color", value="Blue")]}),
    ("change the quantity of the headphones to 3", {"quantity": 3, "quantity_fix": True}),
    ("set the number of lamps to 2", {"quantity": 2, "quantity_fix": True}),
    ("I want 3 of the headphones instead", {"quantity": 3, "quantity_fix": True}),
    ("gray hoodie without faux leather", {"category": "Hoodies", "colors": ["Gray"], "materials_out": ["Faux Leather"]}),
    ("something not a sofa", {"categories_out": ["Sofas"]}),
    ("no headphones please", {"categories_out": ["Headphones"]}),
    ("shoes but not sneakers", {"category": "Shoes", "categories_out": ["Sneakers"]}),
    ("lighting, anything but floor lamps", {"category": "Lighting", "categories_out": ["Floor Lamps"]}),
    ("running shoes, no other shoes", {"category": "Running Shoes"}),  # the kind asked for (or one above it) is never left out
    # categories, typos, synonyms
    ("dishwaser", {"category": "Dishwashers"}),
    ("runing shoes", {"category": "Running Shoes"}),
    ("do you have any hedphones?", {"category": "Headphones"}),
    ("size 10 running shoes", {"category": "Running Shoes", "sizes": ["10"]}),
    ("couch", {"category": "Sofas"}),
    ("trainers", {"category": "Sneakers"}),
    ("kicks", {"category": "Sneakers"}),
    ("telly", {"category": "TVs"}),
    ("tvs", {"category": "TVs"}),
    ("a notebook", {"category": "Notebooks"}),
    ("toys and games", {"category": "Toys & Games"}),
    ("a lamp", {"category": "Lighting"}),
    ("a fridge", {}),
    ("navy sofa", {"category": "Sofas", "colors": ["Blue"]}),
    ("grey laptop", {"category": "Laptops", "colors": ["Gray"]}),
    ("red or blue hoodie", {"category": "Hoodies", "colors": ["Red", "Blue"]}),
    ("desk lamps from Glowix or Acme", {"category": "Desk Lamps", "brands": ["Glowix", "Acme"]}),
    ("faux leather hoodie", {"category": "Hoodies", "materials": ["Faux Leather"]}),
    # sizes
    ("hoodie in XL", {"category": "Hoodies", "sizes": ["XL"]}),
    ("a medium hoodie", {"category": "Hoodies", "sizes": ["M"]}),
    ("hoodie in medium", {"category": "Hoodies", "sizes": ["M"]}),
    ("M", {"sizes": ["M"]}),
    ("med", {"sizes": ["M"]}),
    ("size 9 or 10", {"sizes": ["9", "10"]}),
    ("hoodie in XXS", {"category": "Hoodies", "sizes": ["XXS"]}),  # a letter size no product has, said as a size
    ("add the first in 3xl", {"sizes": ["3XL"], "references": _ord(1)}),
    ("queen mattress", {"category": "Mattresses", "sizes": ["Queen"]}),
    ("pocket notebook", {"category": "Notebooks", "sizes": ["Pocket"]}),
    ("a small desk lamp", {"category": "Desk Lamps"}),
    ("will it fit in a small apartment?", {"references": [_ref("focus")]}),
    # order ids
    ("ORD-10001", {"order_id": "ORD-10001"}),
    ("where is order 10001?", {"order_id": "ORD-10001"}),
    ("status of #10001", {"order_id": "ORD-10001"}),
    ("10001", {"order_id": "ORD-10001"}),
    ("where is my order?", {}),
    # nothing to extract
    ("I need it fast", {"references": [_ref("focus")]}),
    ("I like the second one", {"references": _ord(2)}),
    ("show me more", {}),
    ("dishwasher safe", {}),
    ("I'm writing to ask about my order", {}),
    ("I'm running late", {}),
    ("hello", {}),
    ("thanks, bye", {}),
    ("what is your return policy?", {}),
    ("aaaaaaaaaaaaaaaaaaaaaaaa", {}),
    ("solve 3x + 5 = 20 for x", {}),
    ("what's the weather like in Paris tomorrow?", {}),
    ("Ich möchte eine Waschmaschine kaufen bitte", {}),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[text for text, _ in CASES])
def test_extract(text: str, expected: dict[str, Any]) -> None:
    assert EXTRACTOR.extract(text).model_dump(exclude_defaults=True) == expected


def test_table_is_substantial() -> None:
    assert len(CASES) >= 50


@pytest.mark.parametrize(("text", "expected"), [
    ("500", 500.0), ("$500", 500.0), ("around 500", 500.0), ("$1.5k", 1500.0), ("2k", 2000.0), ("1,200 dollars", 1200.0),
    ("my budget is 300", 300.0), ("under 80 please", 80.0), ("500 reviews", None), ("the second one", None), ("", None),
])
def test_extract_bare_price(text: str, expected: float | None) -> None:
    assert extract_bare_price(text) == expected
    assert EXTRACTOR.extract_bare_price(text) == expected


def test_vocabulary_keeps_display_forms_and_inflections() -> None:
    assert VOCAB.canonical("category", "running shoe") == "Running Shoes"
    assert VOCAB.canonical("category", "Desk lamp") == "Desk Lamps"
    assert VOCAB.canonical("category", "dishwasher") == "Dishwashers"
    assert VOCAB.canonical("category", "t-shirt") is None
    assert VOCAB.canonical("brand", "ACME") == "Acme"
    assert VOCAB.canonical("color", "grey") == "Gray"
    assert VOCAB.canonical("size", "medium") == "M"
    assert VOCAB.canonical("material", "stainless") == "Stainless Steel"
    assert {"Running Shoes", "Shoes", "Lighting", "Home Decor"} <= set(VOCAB.categories)
    assert VOCAB.ancestors("Desk Lamps") == {"Home Decor", "Lighting"}
    assert VOCAB.category_sizes["Hoodies"] == ["L", "M", "S", "XL"]


def test_catalog_values_beat_synonyms() -> None:
    """navy → blue only when the catalog sells no navy; "notebook" is the stationery when the catalog sells it."""
    with_navy = CatalogVocabulary.from_products([*PRODUCTS, _product(99, "Navy Sofa", "Acme", ["Furniture", "Living Room", "Sofas"], 10, color=["Navy"])])
    assert with_navy.canonical("color", "navy") == "Navy"
    assert VOCAB.canonical("color", "navy") == "Blue"
    assert VOCAB.lookup("notebook")[0].value == "Notebooks"
    assert VOCAB.best("navy") is not None and VOCAB.best("navy").tier == Tier.BUILTIN_SYNONYM  # type: ignore[union-attr]


def test_user_synonyms_resolve_against_the_catalog() -> None:
    assert VOCAB.canonical("category", "hoody") == "Hoodies"
    assert VOCAB.lookup("fridge") == [] and VOCAB.lookup("wooden") == []
    assert VOCAB.synonyms == {"hoody": "hoodie", "med": "M", "kicks": "sneakers"}


def test_vocabulary_round_trips_through_json(tmp_path: Path) -> None:
    path = VOCAB.save(tmp_path / "vocabulary.json")
    loaded = CatalogVocabulary.load(path)
    assert loaded.model_dump() == VOCAB.model_dump()
    extractor = SlotExtractor(loaded)
    for text, expected in CASES[:40]:
        assert extractor.extract(text).model_dump(exclude_defaults=True) == expected


def test_taxonomy_names_map_to_nearest_catalog_category(tmp_path: Path) -> None:
    taxonomy = tmp_path / "categories.txt"
    taxonomy.write_text(
        "# Shopify Product Taxonomy\n"
        "gid://shopify/TaxonomyCategory/hg-13 : Home & Garden > Lighting > Lamps > Piano Lamps\n"
        "gid://shopify/TaxonomyCategory/aa-8 : Apparel & Accessories > Shoes > Athletic Shoes > Cleats\n"
        "gid://shopify/TaxonomyCategory/el-1 : Electronics > Video Game Consoles\n", encoding="utf-8")
    vocab = CatalogVocabulary.from_products(PRODUCTS)
    assert vocab.add_taxonomy(taxonomy) > 0
    assert vocab.canonical("category", "piano lamp") == "Lighting"
    assert vocab.canonical("category", "cleats") is None  # "Shoes" is a catalog root: too broad to guess
    assert vocab.canonical("category", "video game consoles") is None
    assert SlotExtractor(vocab).extract("piano lamps").category == "Lighting"


def test_to_constraints_maps_every_slot() -> None:
    slots = Slots(category="Hoodies", categories_out=["Jackets"], brands=["Acme"], brands_out=["Glowix"], colors=["Black"], colors_out=["Red"],
                  sizes=["M"], materials=["Cotton"], materials_out=["Leather"], price_min=50, price_max=20, rating_min=4,
                  references=[Reference(kind="ordinal", index=1)], quantity=2)
    assert slots.to_constraints() == SearchConstraints(
        category="Hoodies", categories_out=["Jackets"], brands_in=["Acme"], brands_out=["Glowix"], price_min=20, price_max=50, rating_min=4,
        attributes_in={"color": ["Black"], "size": ["M"], "material": ["Cotton"]},
        attributes_out={"color": ["Red"], "material": ["Leather"]})


def test_is_empty_counts_search_slots_only() -> None:
    assert Slots().is_empty()
    assert Slots(references=[Reference(kind="focus")], quantity=2, order_id="ORD-10001").is_empty()
    assert not Slots(price_hint="cheaper").is_empty()
    assert not Slots(brands_out_focus=True).is_empty()
    assert not Slots(colors=["Red"]).is_empty()
    assert not Slots(categories_out=["Sofas"]).is_empty()


def test_order_id_pattern_is_configurable() -> None:
    extractor = SlotExtractor(VOCAB, SlotOptions(order_prefix="SO", order_min_digits=6, order_max_digits=6, bare_order_digits=None))
    assert extractor.extract("where is SO-123456?").order_id == "SO-123456"
    assert extractor.extract("order 123456").order_id == "SO-123456"
    assert extractor.extract("order 10001").order_id is None
    custom = SlotExtractor(VOCAB, SlotOptions(order_prefix="INV", order_patterns=[r"\binv(?P<id>\d{3})\b"]))
    assert custom.extract("INV123 please").order_id == "INV-123"


@pytest.mark.parametrize(("text", "colors"), [
    ("an olive hoodie", ["Green"]), ("a hoodie in sage", ["Green"]), ("sage", ["Green"]), ("mint green hoodie", ["Green"]),
    ("black or sage", ["Black", "Green"]), ("sage coloured hoodies", ["Green"]),
    ("olive oil", []), ("something that smells of mint", []), ("a sage plant for the kitchen", []),
])
def test_a_colour_word_that_names_a_thing_is_a_colour_only_where_used_as_one(text: str, colors: list[str]) -> None:
    assert EXTRACTOR.extract(text).colors == colors


def test_the_one_in_a_colour_word_that_names_a_thing_is_a_reference_by_colour() -> None:
    assert [(r.key, r.value) for r in EXTRACTOR.extract("let's go with the olive one").references] == [("color", "Green")]


@pytest.mark.parametrize(("text", "order_id"), [
    ("it's 12345", "ORD-12345"), ("sure, the number is 10001 thanks", "ORD-10001"), ("是10035", "ORD-10035"),
    ("#10040", "ORD-10040"), ("$12345", None), ("123456", None), ("1234", None), ("12,345", None), ("12345.50", None),
    ("ABC12345", None),
])
def test_an_order_number_answered_in_a_few_words(text: str, order_id: str | None) -> None:
    """Only in the answer to "what is your order number?" (``Understander``): a lone number of five digits anywhere."""
    assert SlotExtractor(VOCAB).rules.order_id_answered(text) == order_id
    assert SlotExtractor(VOCAB, SlotOptions(bare_order_digits=None)).rules.order_id_answered(text) is None


def test_fuzzy_matching_can_be_switched_off() -> None:
    assert SlotExtractor(VOCAB, SlotOptions(fuzzy=False)).extract("dishwaser").category is None


def test_random_words_never_become_catalog_values() -> None:
    sentences = ["I need it fast please", "can you check the status", "my package never arrived", "what time do you open",
                 "is there a discount code", "please help me with something", "tell me a joke", "I'm still waiting for my refund",
                 "the weather is lovely today", "send it to my sister"]
    for text in sentences:
        slots = EXTRACTOR.extract(text)
        assert (slots.category, slots.brands, slots.colors, slots.materials, slots.sizes) == (None, [], [], [], []), text
