"""English replies about a product named in the plural ("… Running Shoes") say "they": "come", "cost", "are rated"."""

from __future__ import annotations

import pytest

from assistant.generators.phrases import agree_with_plural, phrasebook
from dialogue.lexicon import names_a_plural

SHOES = "Stridewell Mesa Plus Women's Trail Running Shoes"


@pytest.mark.parametrize(("title", "plural"), [
    (SHOES, True), ("Acme Pulse Wireless Headphones, Black", True), ("Threadline Slim Jeans", True), ("Gel Pens, 12-Pack", True),
    ("Velora Wrap Dress", False), ("Nordvik Cloud Mattress, Queen", False), ("Kestrel Sierra 2 6-Person Tent, Beige", False),
])
def test_a_title_names_a_plural_by_its_head_noun(title: str, plural: bool) -> None:
    assert names_a_plural(title) is plural


def test_the_verbs_after_a_plural_title_agree() -> None:
    assert agree_with_plural(f"The {SHOES} costs $174.99 and is rated 4.2 out of 5; it is out of stock right now.", SHOES) == \
        f"The {SHOES} cost $174.99 and are rated 4.2 out of 5; they are out of stock right now."
    assert agree_with_plural(f"No — the {SHOES} isn't waterproof.", SHOES) == f"No — the {SHOES} aren't waterproof."
    assert agree_with_plural(f"The {SHOES}'s heel drop: 4 mm.", SHOES) == f"The {SHOES}' heel drop: 4 mm."
    # another product is the subject: its "and is" stays
    other = f"The Acme Lamp is bright and is rated 4; the {SHOES} comes in blue."
    assert agree_with_plural(other, SHOES) == f"The Acme Lamp is bright and is rated 4; the {SHOES} come in blue."


def test_the_english_phrasebook_agrees_and_the_chinese_one_is_left_alone() -> None:
    assert phrasebook("en")("qa.offers_yes", title=SHOES, option="size 9", stock=3) == f"Yes — the {SHOES} come in size 9, with 3 in stock."
    assert phrasebook("en")("qa.offers_yes", title="Velora Wrap Dress", option="size M", stock=3).startswith("Yes — the Velora Wrap Dress comes")
    assert phrasebook("zh").agree("跑步鞋 is", [SHOES]) == "跑步鞋 is"
