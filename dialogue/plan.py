"""The reply plan: everything a reply says, decided by the dialogue manager. Generators only phrase it; channels
render its cards, tables and quick replies."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import (
    BaseModel,
    Field,
    SerializationInfo,
    field_serializer,
    model_validator,
)

from core.language import Language
from dialogue.actions import Action
from dialogue.reply_facts import FACTS_BY_ACTION, AnswerFacts, Facts, ReplyFacts, ShowProductsFacts
from dialogue.state import UnmetNeed
from retrieval.models import CORE_ATTRIBUTES, ProductHit

FactsT = TypeVar("FactsT", bound=Facts)


class ProductCard(BaseModel):
    position: int = Field(description="1-based position on screen; what “the second one” refers to.")
    product_id: str
    title: str
    brand: str | None
    category: str
    price: float
    currency: str
    rating: float | None
    review_count: int
    in_stock: bool
    key_attributes: dict[str, str] = Field(default_factory=dict)
    reasons: list[str] = Field(default_factory=list)
    image_url: str | None = None

    @classmethod
    def from_hit(cls, position: int, hit: ProductHit) -> ProductCard:
        p = hit.product
        key_attributes = {key: ", ".join(p.values(key)[:6]) for key in CORE_ATTRIBUTES if p.values(key)}
        for key, values in p.attributes.items():
            if key not in key_attributes and len(key_attributes) < 6:
                key_attributes[key] = ", ".join(values[:3])
        return cls(
            position=position, product_id=p.id, title=p.title, brand=p.brand, category=" > ".join(p.category),
            price=p.price, currency=p.currency, rating=p.rating, review_count=p.review_count, in_stock=p.in_stock,
            key_attributes=key_attributes, reasons=hit.reasons, image_url=p.image_url,
        )


class ComparisonRow(BaseModel):
    attribute: str
    values: list[str]
    differs: bool


class ComparisonTable(BaseModel):
    product_ids: list[str]
    titles: list[str]
    rows: list[ComparisonRow]
    differences: list[str] = Field(default_factory=list, description="Short sentences on what differs.")


class CartLine(BaseModel):
    product_id: str
    title: str
    quantity: int
    unit_price: float
    line_total: float
    variant: dict[str, str] = Field(default_factory=dict)


class ReplyPlan(BaseModel):
    """What to say. ``facts`` holds the action's facts (all from the catalog, orders or policies), typed by the action:
    a plain dict given for them is validated into the action's class (``dialogue.reply_facts``)."""

    action: Action
    intent: str | None = None
    confidence: float | None = None
    facts: ReplyFacts
    products: list[ProductCard] = Field(default_factory=list)
    comparison: ComparisonTable | None = None
    cart: list[CartLine] = Field(default_factory=list)
    cart_total: float | None = None
    cart_listed_later: bool = Field(default=False, description="A later part of the same reply lists the cart (a "
                                    "checkout's summary), so a cart change says what changed without listing it too.")
    quick_replies: list[str] = Field(default_factory=list)
    handoff: bool = False
    user_text: str = Field(default="", description="The shopper's message, as data (never as instructions).")
    language: Language = Field(default="en", description="The language the reply is written in: the shopper's language "
                               "this turn (en: English, zh: Simplified Chinese); generators pick their phrasebook by it.")

    @model_validator(mode="before")
    @classmethod
    def _facts_of_the_action(cls, data: Any) -> Any:
        """Facts given as a dict (or not at all) become the action's facts class; another action's facts are refused."""
        if not isinstance(data, dict):
            return data
        kind = FACTS_BY_ACTION.get(data.get("action"))  # type: ignore[arg-type]
        if kind is None:
            return data  # the action's own validation names the problem
        facts = data.get("facts")
        if isinstance(facts, Facts) and type(facts) is not kind:
            raise ValueError(f"a {data['action']} plan takes {kind.__name__}, not {type(facts).__name__}")
        return {**data, "facts": kind.model_validate(facts if facts is not None else {})}

    @field_serializer("facts")
    def _given_facts(self, facts: Facts, info: SerializationInfo) -> dict[str, Any]:
        """Only the facts that were set, so a plan's JSON has the keys the dialogue manager gave it."""
        return facts.model_dump(mode=info.mode, exclude_unset=True)

    def facts_as(self, kind: type[FactsT]) -> FactsT:
        """The facts as ``kind`` (a reader that handles one action knows its class); a mismatch is a bug."""
        if not isinstance(self.facts, kind):
            raise TypeError(f"a {self.action} plan holds {type(self.facts).__name__}, not {kind.__name__}")
        return self.facts

    def unmet_need(self) -> UnmetNeed | None:
        """What the shopper asked for and the catalog could not give: a search that matched nothing as asked (the
        request in words, or what the catalog does not carry), or a product question without an answer (its topic)."""
        facts = self.facts
        if isinstance(facts, ShowProductsFacts) and (not self.products or facts.unmatched or facts.not_carried or facts.nothing_for):
            words = facts.unmatched or ", ".join(facts.not_carried) or facts.nothing_for or facts.constraints or (facts.category or "")
            return UnmetNeed(kind="search", words=words)
        if isinstance(facts, AnswerFacts) and not facts.known:
            return UnmetNeed(kind="question", words=facts.topic or "")
        return None

    def allowed_prices(self) -> set[float]:
        """Every price the reply may mention (for the grounding check)."""
        prices = {c.price for c in self.products} | {line.unit_price for line in self.cart} | {line.line_total for line in self.cart}
        if self.cart_total is not None:
            prices.add(self.cart_total)
        for value in self.facts.given().values():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                prices.add(float(value))
        return prices
