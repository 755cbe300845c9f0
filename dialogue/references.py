"""Resolve "the second one", "the last one", "the blue one", "the cheaper one", "both", "it", or a name fragment to
products shown in the conversation."""

from __future__ import annotations

from typing import Protocol

from pydantic import BaseModel, Field
from rapidfuzz import fuzz

from core.language import detect_language
from dialogue.qa.answers import answer
from dialogue.qa.questions import read_question
from dialogue.state import ConversationState
from retrieval.models import Product


class _ProductLookup(Protocol):
    def get(self, product_id: str) -> Product | None: ...


class ReferenceSpec(BaseModel):
    """What the shopper pointed at, as extracted from the text (see ``dialogue.slots``)."""

    kind: str = Field(description="ordinal | last | all | both | focus | attribute | name | cheapest | priciest | graded")
    index: int | None = None
    key: str | None = None
    value: str | None = None


class Resolution(BaseModel):
    product_ids: list[str] = Field(default_factory=list)
    ambiguous: list[str] = Field(default_factory=list, description="Candidates when the reference fits several products.")
    problem: str | None = Field(default=None, description="Why nothing could be resolved, in words for the shopper.")
    shown_count: int | None = Field(default=None, description="With asked_position: a position past the products shown was named.")
    asked_position: int | None = None

    def out_of_range(self) -> dict[str, int | None]:
        """The position problem as ``ClarificationFacts`` fields (replies in other languages say it their own way)."""
        return {"shown_count": self.shown_count, "asked_position": self.asked_position}


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def resolve(
    specs: list[ReferenceSpec], state: ConversationState, products: _ProductLookup, *, text: str = "", default_focus: bool = True
) -> Resolution:
    """Product ids referenced by ``specs``, in the order mentioned. With no spec, ``default_focus`` falls back to the
    product in focus, or to the only product shown."""
    shown = state.last_shown
    ids: list[str] = []
    for spec in specs:
        if spec.kind == "ordinal" and spec.index is not None:
            if not 1 <= spec.index <= len(shown):
                problem = (f"I only showed {len(shown)} product{'s' if len(shown) != 1 else ''}, so there is no number {spec.index}."
                           if shown else "I haven't shown you any products yet. What are you looking for?")
                return Resolution(problem=problem, shown_count=len(shown), asked_position=spec.index)
            ids.append(shown[spec.index - 1])
        elif spec.kind == "last" and shown:
            ids.append(shown[-1])
        elif spec.kind == "all":
            ids.extend(shown)
        elif spec.kind == "both":
            ids.extend(_last_pair(state))
        elif spec.kind == "focus":
            if any(other.kind != "focus" for other in specs):
                continue  # "the second one, is it waterproof?": the pronoun is the product just named
            focus = _focus(state)
            if focus is None:
                return Resolution(ambiguous=list(shown[:4])) if len(shown) > 1 else Resolution(problem="Which product do you mean?")
            ids.append(focus)
        elif spec.kind in {"cheapest", "priciest"}:
            pool = _pool(state, products)
            ranked = max((other.index or 1) for other in specs if other.kind == spec.kind)
            if ranked >= 2 and len(pool) <= ranked:  # "the two cheapest" after comparing two: of all the cards
                pool = [p for pid in state.last_shown if (p := products.get(pid)) is not None]
            by_price = sorted(pool, key=lambda p: p.price, reverse=spec.kind == "priciest")
            rank = (spec.index or 1) - 1  # "the two cheapest": the cheapest and the second cheapest
            if rank < len(by_price):
                ids.append(by_price[rank].id)
        elif spec.kind == "graded" and spec.value:
            graded = _best_on(spec.value, _pool(state, products))
            if graded.problem or graded.ambiguous:
                return graded
            ids.extend(graded.product_ids)
        elif spec.kind == "attribute" and spec.value:
            matches = [p.id for p in _pool(state, products) if _has(p, spec.key, spec.value)]
            if len(matches) > 1:
                return Resolution(ambiguous=matches[:4])
            if not matches:
                return Resolution(problem=f"None of the products I showed is {spec.value}.")
            ids.extend(matches)
        elif spec.kind == "name" and spec.value:
            match = _by_name(spec.value, state, products)
            if match:
                ids.append(match)
    if not specs and default_focus:
        focus = _focus(state)
        if focus:
            ids.append(focus)
        elif text:
            match = _by_name(text, state, products)
            if match:
                ids.append(match)
    return Resolution(product_ids=list(dict.fromkeys(ids)))


def _focus(state: ConversationState) -> str | None:
    if state.focus:
        return state.focus
    return state.last_shown[0] if len(state.last_shown) == 1 else None


def _last_pair(state: ConversationState) -> list[str]:
    for turn in reversed(state.turns):
        if turn.action == "compare" and len(turn.product_ids) == 2:
            return turn.product_ids
    return state.last_shown[:2]


def in_view(state: ConversationState) -> list[str]:
    """The products the shopper is looking at: those of the latest comparison while only questions followed it
    ("compare the first two", "which one is easier to clean?", "add the cheaper one"), else the cards."""
    for turn in reversed(state.turns):
        if turn.action == "compare" and turn.product_ids:
            return turn.product_ids
        if turn.action != "answer_question":
            break
    return state.last_shown


def _pool(state: ConversationState, products: _ProductLookup) -> list[Product]:
    """The products a descriptive reference ("the cheaper one", "the blue one") chooses among."""
    return [p for pid in in_view(state) if (p := products.get(pid)) is not None]


def _best_on(grade: str, pool: list[Product]) -> Resolution:
    """"The lighter one", 更轻的那个: the product of ``pool`` the catalog ranks first on that grade, as the question
    "which is the lighter?" would answer; the tied ones when several are; a problem when the catalog cannot rank them."""
    if len(pool) <= 1:
        return Resolution(product_ids=[p.id for p in pool])
    asked = f"哪个{grade}" if detect_language(grade) == "zh" else f"which is the {grade}"
    ranked = answer(read_question(asked), asked, pool)
    if not ranked.known:
        return Resolution(problem=f"I can't tell which one is {grade}: {ranked.sentences[0][:1].lower()}{ranked.sentences[0][1:]}"
                          if ranked.sentences else f"I can't tell which one is {grade}.")
    winners = ranked.product_ids[:sum(1 for d in ranked.details if d.verdict is True)]
    if len(winners) == 1:
        return Resolution(product_ids=winners)
    return Resolution(ambiguous=winners or ranked.product_ids[:4],  # "They are the same on noise level: 40 dBA."
                      problem=f"{ranked.sentences[0]} Which one do you mean?" if ranked.sentences else None)


def _has(product: Product, key: str | None, value: str) -> bool:
    keys = [key] if key else list(product.attributes)
    if any(product.has_value(k, value) for k in keys):
        return True
    return bool(product.brand) and _norm(product.brand or "") == _norm(value)


def _by_name(fragment: str, state: ConversationState, products: _ProductLookup) -> str | None:
    """The shown product whose title best contains ``fragment`` (a model name, say), if the match is clear."""
    wanted = _norm(fragment)
    scored = []
    for pid in dict.fromkeys(state.last_shown + state.shown[::-1]):
        product = products.get(pid)
        if product:
            scored.append((fuzz.partial_ratio(wanted, _norm(product.title)) if len(wanted) >= 4 else 0, pid))
    scored.sort(key=lambda item: -item[0])
    if scored and scored[0][0] >= 90 and (len(scored) == 1 or scored[1][0] < scored[0][0]):
        return scored[0][1]
    return None
