"""Measurements a request names in a category's units ("a tent for 4 people", "16GB of RAM", 55寸) → the catalog values
wanted: about the number, at least or at most it."""

from __future__ import annotations

import pytest

from dialogue.measures import CategoryMeasures, value_range

TVS = CategoryMeasures({"screen size": {"43 inches", "55 inches", "65 inches", "75 inches"}, "display type": {"OLED", "QLED"}})
LAPTOPS = CategoryMeasures({
    "ram": {"8 GB", "16 GB", "32 GB"}, "storage": {"256 GB", "512 GB", "1,024 GB"}, "type": {"gaming", "2-in-1"},
    "screen size": {"13.3 inches", "15.6 inches", "17 inches"}, "battery life": {"8 hours", "12 hours", "18 hours"},
})
TENTS_ZH = CategoryMeasures({"适用人数": {"单人", "双人", "3人", "4人", "6人", "8人"}, "防水": {"是", "否"}})
BLENDERS = CategoryMeasures({"power": {"300 W", "600 W", "1,200 W", "1,800 W"}})


@pytest.mark.parametrize(("measures", "text", "wanted"), [
    (TVS, "a 55 inch tv", {"screen size": ["55 inches"]}),
    (TVS, 'a 55" tv under 900', {"screen size": ["55 inches"]}),
    (TVS, "a 65-inch oled", {"screen size": ["65 inches"]}),
    (TVS, "a 60 inch tv", {"screen size": ["65 inches", "75 inches"]}),  # none about 60: the ones above it
    (TVS, "smaller than 60 inches", {"screen size": ["43 inches", "55 inches"]}),
    (TVS, "a 100 inch tv", {}),  # none fits: left to the search's words
    (LAPTOPS, "a laptop with 16GB of RAM", {"ram": ["16 GB"]}),
    (LAPTOPS, "a 16gb laptop", {"ram": ["16 GB"]}),  # GB is RAM and storage: only RAM spans 16
    (LAPTOPS, "512 gb of storage", {"storage": ["512 GB"]}),
    (LAPTOPS, "12 GB ram", {"ram": ["16 GB", "32 GB"]}),
    (LAPTOPS, "a 13 inch laptop", {"screen size": ["13.3 inches"]}),  # about 13: within 5 %
    (LAPTOPS, "at least 12 hours of battery", {"battery life": ["12 hours", "18 hours"]}),
    (LAPTOPS, "10 hours or more", {"battery life": ["12 hours", "18 hours"]}),
    (LAPTOPS, "a 2-in-1 gaming laptop", {}),
    (BLENDERS, "a blender under 1000 W", {"power": ["300 W", "600 W"]}),
    (BLENDERS, "a 1,200 watt blender", {"power": ["1,200 W"]}),
    (TENTS_ZH, "想要一个4人的帐篷", {"适用人数": ["4人"]}),
    (TENTS_ZH, "6人以上的呢", {"适用人数": ["6人", "8人"]}),
    (TENTS_ZH, "防水的帐篷", {}),
])
def test_a_measurement_wants_the_catalog_values_about_above_or_below_it(measures: CategoryMeasures, text: str,
                                                                        wanted: dict[str, list[str]]) -> None:
    assert measures.named(text) == wanted


def test_several_values_of_a_measurement_are_said_as_their_range() -> None:
    assert value_range("battery life", ["12 hours", "18 hours", "15 hours"]) == "battery life 12–18 hours"
    assert value_range("power", ["300 W", "1,200 W"]) == "power 300–1,200 W"
    assert value_range("适用人数", ["6人", "8人"]) == "适用人数6–8人"
    assert value_range("ram", ["16 GB"]) is None
    assert value_range("storage", ["512 GB", "1 TB"]) is None
    assert value_range("type", ["gaming", "2-in-1"]) is None


def test_in_is_inches_only_where_no_word_follows() -> None:
    lamps = CategoryMeasures({"height": {"12 in", "18 in", "24 in"}, "color": {"Red"}})
    assert lamps.named("size 12 in red") == {}
    assert lamps.named("a lamp, 18 in.") == {"height": ["18 in"]}
    assert lamps.named('an 18" lamp') == {"height": ["18 in"]}


def test_an_amount_of_money_is_no_measurement() -> None:
    tvs = CategoryMeasures({"resolution": {"4K", "8K"}})
    assert tvs.named("a 4k tv") == {"resolution": ["4K"]}
    assert tvs.named("a tv under $4k") == {}
