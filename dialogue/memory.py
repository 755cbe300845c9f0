"""What the shopper said earlier in the conversation and still means: sizes and colours for the next cart add.

A size or colour said in this message, or one the current search asks for, is *said*: a product that cannot be had
in it is not added in another (the cart says so and asks). Sizes and colours said in earlier messages are
*remembered*: used when the product offers them, never a reason to refuse."""

from __future__ import annotations

from pydantic import BaseModel, Field

from dialogue.slots import Slots
from dialogue.state import ConversationState
from retrieval.models import Product


class VariantWish(BaseModel):
    """The sizes and colours to add a product in, best first."""

    sizes: list[str] = Field(default_factory=list)
    colors: list[str] = Field(default_factory=list)
    size_said: bool = Field(default=False, description="The first size was asked for now (or by the current search).")
    color_said: bool = Field(default=False, description="The first colour was asked for now (or by the current search).")
    size_now: bool = Field(default=False, description="This message names a size.")
    color_now: bool = Field(default=False, description="This message names a colour.")


def variant_wish(state: ConversationState, slots: Slots, product: Product) -> VariantWish:
    """The sizes and colours the shopper wants ``product`` in: this message's, else those the previous question asked it
    in, else the current search's, else those said earlier (most recent first)."""
    said_colors = list(slots.colors) + [r.value for r in slots.references if r.kind == "attribute" and r.key == "color" and r.value]
    said_sizes = list(slots.sizes) + [r.value for r in slots.references if r.kind == "attribute" and r.key == "size" and r.value]
    goal = state.goal.constraints.attributes_in if state.goal is not None else {}
    goal_sizes = goal.get("size", []) if len(product.values("size")) > 1 else []
    goal_colors = goal.get("color", []) if _has_color_choice(product) else []
    earlier_sizes, earlier_colors = _said_before(state)
    asked_sizes, asked_colors = _asked_of(state, product)
    return VariantWish(  # the first tier that says anything: a size said now is never swapped for one said before
        sizes=_unique(said_sizes or asked_sizes or goal_sizes or earlier_sizes),
        colors=_unique(said_colors or asked_colors or goal_colors or earlier_colors),
        size_said=bool(said_sizes or asked_sizes or goal_sizes),
        color_said=bool(said_colors or asked_colors or goal_colors),
        size_now=bool(said_sizes),
        color_now=bool(said_colors),
    )


def _asked_of(state: ConversationState, product: Product) -> tuple[list[str], list[str]]:
    """The sizes and colours the previous message asked about ``product`` in ("do you have the first one in a size 9?"
    then "add it": size 9, not the search's size 8), where it comes in them: after "does it come in white?" and a
    no, "ok add it" takes it as it comes."""
    last = state.turns[-1] if state.turns else None
    if last is None or last.action != "answer_question" or last.product_ids[:1] != [product.id]:
        return [], []
    return _offered(last.slots.get("sizes", []), product.values("size")), _offered(last.slots.get("colors", []), product.values("color"))


def _offered(asked: list[object], values: list[str]) -> list[str]:
    """The values of ``asked`` among a product's ``values`` (any case)."""
    have = {v.lower() for v in values}
    return [a for a in asked if isinstance(a, str) and a.lower() in have]


def _has_color_choice(product: Product) -> bool:
    return len({v.attributes["color"].lower() for v in product.variants if "color" in v.attributes}) > 1


def _said_before(state: ConversationState) -> tuple[list[str], list[str]]:
    """Sizes and colours of earlier messages, most recent first (colours ruled out later are dropped)."""
    sizes: list[str] = []
    colors: list[str] = []
    banned: set[str] = set()
    for turn in reversed(state.turns):
        banned.update(c.lower() for c in turn.slots.get("colors_out", []))
        sizes += [s for s in turn.slots.get("sizes", []) if isinstance(s, str)]
        colors += [c for c in turn.slots.get("colors", []) if isinstance(c, str) and c.lower() not in banned]
    return sizes, colors


def _unique(values: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for value in values:
        seen.setdefault(value.lower(), value)
    return list(seen.values())
