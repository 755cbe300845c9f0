"""A comparison reply sums up in at most three lines (lowest price, best rating, stock, the key difference); the table
carries the details and the reply does not repeat it."""

from __future__ import annotations

from typing import Any

from assistant.generators.template import TemplateGenerator
from dialogue.comparison import compare_products, pick_names, short_names
from dialogue.plan import ReplyPlan
from retrieval.models import Product


def _product(pid: str, title: str, price: float, rating: float | None = 4.0, stock: int = 5, **attributes: Any) -> Product:
    return Product(id=pid, title=title, brand=title.split()[0], category=["Home", "Dishwashers"], price=price, rating=rating,
                   review_count=10, stock=stock, attributes={k.replace("_", " "): [v] for k, v in attributes.items()})


A = _product("a", "Hearthly Wren Ridge Dishwasher, Silver", 349.99, 4.2, noise_level="40 dBA", place_settings="12", color="Silver")
B = _product("b", "Cleanwave Maple Built-In Dishwasher, Silver", 439.99, 5.0, noise_level="48 dBA", place_settings="12", color="Silver")
C = _product("c", "Hearthly Sutton Built-In Dishwasher, White", 559.99, None, stock=0, noise_level="44 dBA", place_settings="14", color="White")


def _reply(products: list[Product]) -> str:
    return TemplateGenerator().generate(ReplyPlan(action="compare", comparison=compare_products(products), facts={"count": len(products)}))


def test_two_products_sum_up_in_three_lines_without_the_table() -> None:
    reply = _reply([A, B])
    assert reply.splitlines() == [
        "The Hearthly Wren has the lowest price ($349.99).",
        "The Cleanwave Maple has the best rating (5.0★).",
        "Key difference (noise level): 40 dBA for the Hearthly Wren, 48 dBA for the Cleanwave Maple.",
    ]
    assert A.title not in reply and "place settings" not in reply and "|" not in reply  # the table is not repeated


def test_one_product_with_both_is_said_once_and_stock_comes_before_the_difference() -> None:
    cheap_and_good = _product("d", "Kelvo Margot Dishwasher, Silver", 299.99, 4.9, noise_level="42 dBA")
    lines = _reply([cheap_and_good, A, C]).splitlines()
    assert lines[0] == "The Kelvo Margot has both the lowest price ($299.99) and the best rating (4.9★)."
    assert lines[1] == "The Hearthly Sutton is out of stock." and len(lines) == 3 and lines[2].startswith("Key difference (noise level)")


def test_ties_are_said_not_broken() -> None:
    twin = _product("e", "Frostline Margot Dishwasher, Silver", 349.99, 4.2, noise_level="46 dBA")
    assert _reply([A, twin, B]).splitlines()[0] == "The Hearthly Wren and the Frostline Margot share the lowest price ($349.99)."
    same = _product("f", "Frostline Margot Dishwasher, Silver", 439.99, 4.2, noise_level="40 dBA", place_settings="12", color="Silver")
    lines = _reply([same, B.model_copy(update={"rating": 4.2, "attributes": same.attributes})]).splitlines()
    assert lines == ["They have the same price ($439.99)."]


def test_the_key_difference_follows_the_catalogs_attribute_order_and_colour_comes_last() -> None:
    first = _product("g", "Nimbra Cobalt Monitor, Black", 199.0, 4.0, screen_size="27 inches", color="Black", usb_c="no")
    second = _product("h", "Zentrix Pulse Monitor, Silver", 199.0, 4.0, screen_size="24 inches", color="Silver", usb_c="yes")
    assert _reply([first, second]).splitlines()[-1] == "Key difference (screen size): 27 inches for the Nimbra Cobalt, 24 inches for the Zentrix Pulse."


def test_names_and_quick_reply_words_tell_products_apart() -> None:
    assert short_names([A, C]) == {"a": "Hearthly Wren", "c": "Hearthly Sutton"}
    assert pick_names([A, B], [1, 2]) == ["Hearthly", "Cleanwave"]
    assert pick_names([A, C], [1, 3]) == ["first", "third"]  # same brand: by position, never "the Hearthly one" twice
