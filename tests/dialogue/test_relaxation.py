"""Honest empty results, without a store: which constraint is relaxed, whether the catalog meets it at all, how the
request is said, and which alternatives come first."""

from __future__ import annotations

from dialogue.relaxation import category_noun, nearest_first, relax, request_phrase
from retrieval.models import Product, ProductHit, SearchConstraints

CATALOG = [
    Product(id="s1", title="Acme Sofa", brand="Acme", category="Furniture > Sofas", price=900, stock=3, attributes={"color": ["Gray"]}),
    Product(id="s2", title="Nordvik Sofa", brand="Nordvik", category="Furniture > Sofas", price=450, stock=2, attributes={"color": ["Red"]}),
    Product(id="s3", title="Nordvik Loveseat", brand="Nordvik", category="Furniture > Sofas", price=700, stock=0, attributes={"color": ["Gray"]}),
    Product(id="t1", title="Zorg Laptop", brand="Zorg", category="Computers > Laptops", price=600, stock=5),
]


def count(c: SearchConstraints) -> int:
    return sum(c.matches(p) for p in CATALOG)


def test_a_brand_the_category_lacks_is_relaxed_and_unavailable() -> None:
    wanted = SearchConstraints(category="Sofas", brands_in=["Zorg"])
    relaxation = relax(wanted, count)
    assert relaxation.relaxed == ["brand"] and relaxation.unavailable == ["brand"]
    assert count(relaxation.constraints) == 3
    assert request_phrase(wanted, names=["brand"]) == "Zorg sofas"


def test_a_budget_bends_before_a_colour_and_stays_available_elsewhere() -> None:
    wanted = SearchConstraints(category="Sofas", attributes_in={"color": ["Red"]}, price_max=400)
    relaxation = relax(wanted, count)
    assert relaxation.relaxed == ["price"]  # red sofas exist, just not under $400
    assert relaxation.unavailable == ["price"]  # no sofa at all is under $400
    assert request_phrase(wanted) == "red sofas under $400.00"


def test_a_colour_is_relaxed_when_the_budget_alone_is_not_enough() -> None:
    wanted = SearchConstraints(category="Sofas", attributes_in={"color": ["Blue"]}, price_max=500)
    relaxation = relax(wanted, count)
    assert relaxation.relaxed == ["color"] and relaxation.unavailable == ["color"]
    assert relaxation.constraints.price_max == 500


def test_relaxations_pile_up_when_no_single_one_is_enough() -> None:
    wanted = SearchConstraints(category="Sofas", attributes_in={"color": ["Blue"]}, brands_in=["Zorg"], price_max=100)
    relaxation = relax(wanted, count)
    assert relaxation.relaxed == ["price", "color", "brand"] and count(relaxation.constraints) > 0


def test_nothing_to_relax() -> None:
    relaxation = relax(SearchConstraints(category="Tents"), count)
    assert not relaxation.found and relaxation.relaxed == []


def test_nearest_prices_first_and_in_stock_before_sold_out() -> None:
    hits = [ProductHit(product=p, score=1.0) for p in CATALOG[:3]]
    wanted = SearchConstraints(category="Sofas", price_max=400)
    ordered = [h.product.id for h in nearest_first(hits, wanted, ["price"], 3)]
    assert ordered == ["s2", "s1", "s3"]  # $450 then $900; the $700 loveseat is out of stock
    assert [h.product.id for h in nearest_first(hits, wanted, ["brand"], 2)] == ["s1", "s2"]  # other relaxations: as ranked


def test_request_phrases() -> None:
    c = SearchConstraints(category="Running Shoes", brands_in=["Acme"], attributes_in={"size": ["15"]}, price_min=50, price_max=90)
    assert request_phrase(c) == "Acme running shoes in size 15 between $50.00 and $90.00"
    assert request_phrase(SearchConstraints(brands_in=["Apple"])) == "Apple products"
    assert category_noun("TVs") == "TVs" and category_noun("T-Shirts") == "t-shirts"


def test_amounts_are_said_in_the_catalog_currency() -> None:
    """An English turn on a yuan catalog says its budget in yuan: the request, the constraints shown and each card's
    reason (which the JSON API and the Rasa channels pass on as they are)."""
    from dialogue.handlers.shopping import describe_constraints

    c = SearchConstraints(category="Running Shoes", attributes_in={"color": ["红色"]}, price_max=1500)
    assert request_phrase(c, "CNY") == "红色 running shoes under ¥1,500.00"
    assert describe_constraints(c, "CNY") == "红色, under ¥1,500.00"
    sizes = SearchConstraints(attributes_in={"color": ["Blue"], "size": ["10"]}, attributes_out={"size": ["9"]})
    assert describe_constraints(sizes) == "Blue, size 10, no size 9"  # a bare "10" said nothing
    shoe = Product(id="z1", title="步履 跑步鞋", category="运动 > 跑步鞋", price=349, currency="CNY", attributes={"color": ["红色"]})
    assert c.describe_match(shoe) == "红色, under ¥1,500"
    between = SearchConstraints(price_min=100, price_max=1500)
    assert between.describe_match(shoe) == "¥100–¥1,500" and between.describe_match(CATALOG[0]) == "$100–$1,500"
