"""The facts of a reply, typed per action: what the dialogue manager decided a reply states, and all a generator may
say beyond the plan's cards, comparison and cart.

Fields follow the order the dialogue manager has always written them in, and a plan serialises only the fields that
were set (:meth:`Facts.given`), so stored and streamed plans keep their JSON. Defaults are what a reader assumes when
a fact was not given."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from dialogue.actions import Action, OrderAction
from dialogue.qa.questions import QuestionKind

#: What a clarifying question can ask for.
ClarifiedSlot = Literal["reference", "size", "color", "category", "type"]
#: What a search's clarifying question asks for (``dialogue.handlers.shopping.clarifying_question``): what kind of product.
SEARCH_QUESTIONS: frozenset[str] = frozenset({"category", "type"})


class Facts(BaseModel):
    """Base of every action's facts; unknown keys are errors, so a misspelt fact never passes silently."""

    model_config = ConfigDict(extra="forbid")

    def given(self) -> dict[str, Any]:
        """The facts that were set (defaults left out): what plans serialise, prompts show and grounding reads."""
        return self.model_dump(exclude_unset=True)


class ShowProductsFacts(Facts):
    count: int = 0
    category: str | None = None
    constraints: str = Field(default="", description="The active constraints in words, e.g. 'black, under $100'.")
    relaxed: list[str] = Field(default_factory=list, description="Constraints dropped because nothing matched them "
                               "(brand, colour, size, material, price, rating, stock or an attribute name): the products are alternatives.")
    more: bool = Field(default=False, description="A further page of the same search.")
    note: Literal["", "similar", "avoiding", "again"] = ""
    unmatched: str = Field(default="", description="The request that matched nothing, in words ('red shoes under $20.00').")
    not_carried: list[str] = Field(default_factory=list, description="What the catalog does not carry at all ('Apple laptops').")
    nothing_for: str | None = Field(default=None, description="A pastime the catalog has nothing for ('golf' in 'a gift "
                                    "for my dad who loves golf'), in the shopper's words: said, then what else they enjoy asked, or other gifts for "
                                    "the child's age shown.")
    all_out_of_stock: bool = Field(default=False, description="Everything that matches the request is out of stock.")
    ask_which_to_add: bool = Field(default=False, description="The shopper asked to add a kind of product before any was "
                                   "shown: the reply asks which one to add to the cart.")


class ClarificationFacts(Facts):
    slot: ClarifiedSlot
    question: str
    options: list[str] = Field(default_factory=list)
    title: str | None = Field(default=None, description="The product a size question is about.")
    unavailable: str | None = Field(default=None, description="The size or colour asked for that the product cannot be "
                                    "had in, said before the question (English questions say it in their own words).")
    sold_out: bool = Field(default=False, description="The product comes in it but has none in stock.")
    added: list[str] = Field(default_factory=list, description='Products added in the same turn before the question ("add both": the one that needed no size).')
    waiting: list[str] = Field(default_factory=list, description="Products of the same request that need a size or colour too: added after this one is answered.")
    shown_count: int | None = Field(default=None, description='With asked_position: "the third one" of two products shown.')
    asked_position: int | None = None


class CompareFacts(Facts):
    count: int = 0
    truncated: bool = Field(default=False, description="More products were named than a comparison holds.")


#: How an answer detail reads (see :class:`AnswerDetail`).
DetailForm = Literal["value", "verdict", "offers", "alternative", "quote", "reviews", "overview", "unknown"]


class AnswerDetail(Facts):
    """What the catalog says about one product on the question's topic, as values rather than sentences, so that a
    reply in any language can word it (the ``facts`` sentences are English). ``form`` is how the answer reads:
    ``value`` (a look-up), ``verdict`` (a yes/no answer), ``offers`` (does it come in the colours / sizes / materials
    ``asked``), ``alternative`` (another product in view that does come in it), ``quote`` (sentences of its
    description), ``reviews``, ``overview`` (price, rating, stock and the
    description's first sentences; the attributes follow as ``value`` details) or ``unknown`` (the catalog does not
    say)."""

    form: DetailForm
    title: str
    attribute: str | None = Field(default=None, description="The attribute key or product field asked about.")
    values: list[str] = Field(default_factory=list, description="The attribute's values as the catalog writes them.")
    price: float | None = None
    currency: str | None = None
    quantity: int | None = Field(default=None, description="How many the price was asked for (the total is price × quantity).")
    rating: float | None = None
    review_count: int | None = None
    stock: int | None = Field(default=None, description="Units in stock (of the variant ``asked`` for an offers answer).")
    sold_out: list[str] = Field(default_factory=list, description="Colours or sizes of the product that are sold out.")
    asked: list[str] = Field(default_factory=list, description="The values a yes/no question named ('in black').")
    graded: str | None = Field(default=None, description="A superlative's winner: the graded phrase as said (最便宜).")
    verdict: bool | None = None
    quote: list[str] = Field(default_factory=list, description="Description sentences or review quotes, as written.")


class AnswerFacts(Facts):
    known: bool = False
    reason: Literal["no_product"] | None = None
    kind: QuestionKind | None = None
    topic: str | None = Field(default=None, description="The attribute or product field the question was about.")
    facts: list[str] = Field(default_factory=list, description="Sentences built from catalog facts, the reply's content.")
    title: str | None = None
    verdict: bool | None = Field(default=None, description="A yes/no question's answer, when the catalog gives one.")
    details: list[AnswerDetail] = Field(default_factory=list, description="The answer as catalog values, for a reply in "
                                        "another language than the facts' English (set for such turns only).")
    unchecked: str | None = Field(default=None, description='What a "which of them …" question asked that the catalog does '
                                  'not tell, in the shopper\'s words ("is easier to clean", 更好清洗).')


class CartAddFacts(Facts):
    added: bool = False
    updated: bool = Field(default=False, description='The quantity of the line just added was changed ("make it two").')
    reason: Literal["unknown_product", "out_of_stock"] | None = None
    title: str | None = None
    quantity: int | None = None
    variant: dict[str, str] = Field(default_factory=dict)
    unit_price: float | None = None
    others: list[CartAddFacts] = Field(default_factory=list, description='The other products of the same request ("add both"), before this one.')
    put_back: bool = Field(default=False, description='Back in the cart: its removal was taken back ("undo that", "put it back").')


class CartRemoveFacts(Facts):
    removed: bool = False
    reason: Literal["empty"] | None = None
    title: str | None = None
    quantity: int | None = None
    others: list[CartRemoveFacts] = Field(default_factory=list, description='The other lines removed by the same request ("clear my cart"), before this one.')


class ShowCartFacts(Facts):
    items: int = 0


class ShippingQuote(BaseModel):
    """What standard shipping costs under the shop's terms for one product ("does this one ship free?", 这个包邮吗) or
    for the cart ("do I need to pay for shipping?", 购物车包邮吗)."""

    title: str | None = Field(default=None, description="The product quoted; None: the cart, whose subtotal is the price.")
    price: float
    currency: str
    free_from: float = Field(description="The order subtotal from which standard shipping is free.")
    fee: float = Field(description="Standard shipping on an order below it.")
    cart_subtotal: float = Field(default=0.0, description="What the rest of the cart comes to (without this product).")
    amount_short: float = Field(default=0.0, description="What the order lacks to ship free (0 when it does).")
    with_fee: float = Field(default=0.0, description="The cart's subtotal with standard shipping added (a quote for the cart "
                            "that does not ship free).")

    @property
    def free_alone(self) -> bool:
        return self.price >= self.free_from

    @property
    def free_with_cart(self) -> bool:
        return self.cart_subtotal > 0 and self.price + self.cart_subtotal >= self.free_from


class CheckoutFacts(Facts):
    items: int = 0
    empty: bool = False
    shipping: ShippingQuote | None = Field(default=None, description="What standard shipping costs the cart (None: the "
                                           "shop's terms state no threshold in its currency).")


class OrderChoice(BaseModel):
    """One of the shopper's orders offered when asking which order they mean."""

    order_id: str
    status: str
    placed_at: str


class OrderFacts(Facts):
    """Shared by the order actions: either the question for an order number, or the order looked up."""

    slot: Literal["order_id"] | None = Field(default=None, description="Set when asking for the order number.")
    question: str | None = None
    options: list[str] = Field(default_factory=list)
    choices: list[OrderChoice] = Field(default_factory=list, description="The shopper's orders the request may mean "
                                       "(open ones for a status or a cancellation, delivered ones for a return), newest first.")
    forgot: bool = Field(default=False, description='Asked again after "I don\'t remember the number": where to find it.')
    not_ordered: str | None = Field(default=None, description='The kind of product the shopper named ("return the '
                                    'headphones") when none of their orders has one: said before the question.')
    order_id: str | None = None
    found: bool = False
    problem: Literal["invalid_id", "not_found"] | None = None
    status: str | None = None
    placed_at: str | None = None
    items: list[str] = Field(default_factory=list)
    total: float | None = None
    currency: str | None = Field(default=None, description="The currency of the order's total (else the shop's).")
    carrier: str | None = None
    tracking_number: str | None = None
    estimated_delivery: str | None = None


class OrderStatusFacts(OrderFacts):
    pass


class CancelOrderFacts(OrderFacts):
    cancelled: bool = False
    confirm: bool = Field(default=False, description="The order can be cancelled: the reply asks for a yes first.")
    kept: bool = Field(default=False, description="The shopper said no: the order stays as it is.")


class ReturnItemFacts(OrderFacts):
    returnable: bool = False
    policy: list[str] = Field(default_factory=list, description="Sentences of the returns policy.")


class PolicyFacts(Facts):
    known: bool = False
    topic: str | None = None
    title: str | None = None
    sentences: list[str] = Field(default_factory=list, description="The clauses that answer the question, as written.")
    topics: list[str] = Field(default_factory=list, description="The topics there are answers for, when this one is unknown.")
    section: str | None = Field(default=None, description='How the reply names the section: "returns policy".')
    whole: bool = Field(default=False, description="The whole section was asked for; otherwise the clauses that answer.")
    fault: bool = Field(default=False, description='The shopper reported a product that does not work ("it stopped working"): the reply is sorry first.')
    quote: ShippingQuote | None = Field(default=None, description="The shipping of the product asked about, said before the clauses.")
    cart_empty: bool = Field(default=False, description="The shopper asked what shipping their cart costs, and it is empty.")
    deals: bool = Field(default=False, description="The shopper asked about sales or codes, which the catalog does not list: "
                        "the reply says it has no special prices before the shop's price promises (in words that name no "
                        "discount: the grounding guard rejects those outside the plan).")
    product: str | None = Field(default=None, description="The product a question about its warranty or return asked about, "
                                "when the catalog has no terms of its own for it: the shop's terms apply.")


class HandoffFacts(Facts):
    already: bool = Field(default=False, description="A person has the conversation already: the message waits for "
                          "them and the assistant does not answer it.")
    withdrawn: bool = Field(default=False, description='The shopper took back the request for a person ("never mind") '
                            "before one wrote: the assistant has the conversation again.")


class GreetFacts(Facts):
    kind: str | None = Field(default=None, description="greet | thanks | chitchat | ack | feedback_ack")
    liked: bool | None = None


class GoodbyeFacts(Facts):
    cart_items: int = 0


class FallbackFacts(Facts):
    capabilities: list[str] = Field(default_factory=list)
    other_language: bool = Field(default=False, description="The message is in a language the assistant does not speak.")


class ResetFacts(Facts):
    scope: Literal["conversation", "preferences"] = "conversation"
    had_profile: bool | None = None


ReplyFacts = (
    ShowProductsFacts | ClarificationFacts | CompareFacts | AnswerFacts | CartAddFacts | CartRemoveFacts | ShowCartFacts
    | CheckoutFacts | OrderStatusFacts | CancelOrderFacts | ReturnItemFacts | PolicyFacts | HandoffFacts | GreetFacts
    | GoodbyeFacts | FallbackFacts | ResetFacts
)

ORDER_FACTS: dict[OrderAction, type[OrderFacts]] = {
    "order_status": OrderStatusFacts, "cancel_order": CancelOrderFacts, "return_item": ReturnItemFacts,
}

FACTS_BY_ACTION: dict[Action, type[Facts]] = {
    "show_products": ShowProductsFacts, "ask_clarification": ClarificationFacts, "compare": CompareFacts,
    "answer_question": AnswerFacts, "cart_add": CartAddFacts, "cart_remove": CartRemoveFacts, "show_cart": ShowCartFacts,
    "checkout": CheckoutFacts, **ORDER_FACTS, "policy_answer": PolicyFacts, "handoff": HandoffFacts, "greet": GreetFacts,
    "goodbye": GoodbyeFacts, "fallback": FallbackFacts, "reset": ResetFacts,
}
