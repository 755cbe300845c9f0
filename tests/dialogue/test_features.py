"""Product features read from a request in the catalog's own words, within the category searched, and how a filter on
one is said."""

from __future__ import annotations

from dialogue.constraint_words_zh import describe_constraints_zh, request_phrase_zh
from dialogue.features import FeatureIndex
from dialogue.handlers.shopping import describe_constraints
from dialogue.relaxation import relaxed_label, request_phrase
from retrieval.facets import CatalogFacets
from retrieval.models import Product, SearchConstraints, value_phrase


def _product(pid: str, category: str, **attributes: str) -> Product:
    return Product(id=pid, title=f"Item {pid}", brand="Acme", category=category, price=100, stock=1,
                   attributes={key.replace("_", " "): [value] for key, value in attributes.items()})


CATALOG = [
    _product("t1", "Electronics > TVs", resolution="4K", display_type="OLED", screen_size="55 inches", smart_tv="yes"),
    _product("t2", "Electronics > TVs", resolution="8K", display_type="QLED", screen_size="65 inches", smart_tv="yes"),
    _product("h1", "Electronics > Headphones", style="over-ear", noise_cancelling="yes", wireless="yes", color="Black"),
    _product("h2", "Electronics > Headphones", style="on-ear", noise_cancelling="no", wireless="yes"),
    _product("l1", "Beauty > Lipsticks", finish="nude", color="Nude"),
    _product("m1", "Home > Mattresses", firmness="firm", type="mattress"),
    _product("m2", "Home > Mattresses", firmness="medium-firm", type="hybrid"),
    _product("b1", "Sports > Bikes", gears="12-speed", type="mountain", use="down"),
    _product("z1", "数码 > 电视", 分辨率="4K", 屏幕类型="QLED", 防水="是"),
    _product("z2", "数码 > 电视", 分辨率="8K", 屏幕类型="OLED", 防水="否"),
]
INDEX = FeatureIndex(CatalogFacets.from_products(CATALOG))


def test_values_and_yes_no_names_within_the_category() -> None:
    assert INDEX.named("an OLED tv in 4k", "TVs").wanted == {"display type": ["OLED"], "resolution": ["4K"]}
    assert INDEX.named("noise-cancelling over ear headphones", "Headphones").wanted == {"noise cancelling": ["yes"], "style": ["over-ear"]}
    assert INDEX.named("a 12-speed mountain bike", "Bikes").wanted == {"gears": ["12-speed"], "type": ["mountain"]}
    assert not INDEX.named("an OLED one", "Headphones")  # not a feature of headphones
    assert not INDEX.named("an OLED tv", None)  # no category: nothing to read against


def test_the_longest_form_wins_and_words_are_whole() -> None:
    assert INDEX.named("medium-firm please", "Mattresses").wanted == {"firmness": ["medium-firm"]}
    assert INDEX.named("a firm one", "Mattresses").wanted == {"firmness": ["firm"]}
    assert not INDEX.named("confirm the order", "Mattresses")


def test_a_measurement_is_read_as_one() -> None:
    """"a 55 inches tv" is the catalog's 55-inch value (dialogue.measures), marked as a measurement."""
    named = INDEX.named("a 55 inches tv", "TVs")
    assert named.wanted == {"screen size": ["55 inches"]} and named.measured == ["screen size"]


def test_what_is_not_a_feature() -> None:
    assert not INDEX.named("a mattress", "Mattresses")  # the category's own name, not its type
    assert not INDEX.named("a nude lipstick", "Lipsticks")  # a colour too: colours have their own reader
    assert not INDEX.named("narrow it down", "Bikes")  # a plain word of a request


def test_negations() -> None:
    assert INDEX.named("no OLED please", "TVs").unwanted == {"display type": ["OLED"]}
    assert INDEX.named("not wireless", "Headphones").wanted == {"wireless": ["no"]}
    assert INDEX.named("noise cancelling free", "Headphones").wanted == {"noise cancelling": ["no"]}
    assert INDEX.named("不要QLED的", "电视").unwanted == {"屏幕类型": ["QLED"]}
    assert INDEX.named("不要防水的电视", "电视").wanted == {"防水": ["否"]}


def test_chinese_forms_inside_a_sentence() -> None:
    assert INDEX.named("我想要4K的防水电视", "电视").wanted == {"分辨率": ["4K"], "防水": ["是"]}


def test_other_words_for_a_yes_no_name() -> None:
    assert INDEX.named("anc headphones", "Headphones").wanted == {"noise cancelling": ["yes"]}
    assert INDEX.named("noise canceling", "Headphones").wanted == {"noise cancelling": ["yes"]}


def test_how_a_feature_filter_is_said() -> None:
    assert value_phrase("wireless", "yes") == "wireless" and value_phrase("wireless", "no") == "non-wireless"
    assert value_phrase("防水", "否") == "非防水" and value_phrase("size", "10") == "size 10"
    assert value_phrase("5g", "yes") == "5G" and value_phrase("gps", "no") == "non-GPS"
    wanted = SearchConstraints(category="Headphones", attributes_in={"wireless": ["no"], "style": ["over-ear"]})
    assert describe_constraints(wanted) == "non-wireless, over-ear"
    assert request_phrase(wanted) == "non-wireless over-ear headphones"
    assert relaxed_label("wireless", wanted) == "non-wireless feature" and relaxed_label("style", wanted) == "over-ear"
    assert describe_constraints(SearchConstraints(attributes_out={"wireless": ["yes"]})) == "no wireless"
    zh = SearchConstraints(category="电视", attributes_in={"分辨率": ["4K"], "防水": ["是"]})
    assert describe_constraints_zh(zh, "CNY") == "分辨率4K，防水"
    assert "分辨率4K" in request_phrase_zh(zh, "CNY")
