"""What the assistant waits for after its own question: an order number, a size, which product was meant, or a yes
to cancel an order.

Conversations stored before this was typed hold it as text (``"order_id:cancel_order"``, ``"size:P12:2"``,
``"reference:compare"``); :func:`parse_legacy` reads those, so old databases still load."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from dialogue.actions import OrderAction


class _Awaiting(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class AwaitingOrderId(_Awaiting):
    """An order number, for the order action that asked for it."""

    kind: Literal["order_id"] = "order_id"
    intent: OrderAction
    offered: list[str] = Field(default_factory=list, description="The order numbers the question offered, newest first.")


class AwaitingSize(_Awaiting):
    """A size, to add ``quantity`` of the product to the cart."""

    kind: Literal["size"] = "size"
    product_id: str
    quantity: int = Field(default=1, ge=1)
    then: list[str] = Field(default_factory=list, description='Products of the same request ("add both") to add after this one, in the size or colour chosen for it where they come in it.')
    replaces: dict[str, str] | None = Field(default=None, description='The variant of the cart line of this product that the '
                                            'answer replaces ("change it to size 9" of shoes that do not come in 9).')


class AwaitingReference(_Awaiting):
    """Which product the shopper meant, for the intent whose handler asked "which one?"."""

    kind: Literal["reference"] = "reference"
    intent: str
    quantity: int | None = Field(default=None, ge=1, description='How many to add, said while the question waits ("make it two").')


class AwaitingConfirmation(_Awaiting):
    """A yes before cancelling ``order_id`` (it cannot be undone)."""

    kind: Literal["confirmation"] = "confirmation"
    order_id: str


Pending = Annotated[AwaitingOrderId | AwaitingSize | AwaitingReference | AwaitingConfirmation, Field(discriminator="kind")]


def parse_legacy(value: object) -> object:
    """A pending state stored as text, as the fields of its model (anything else is returned unchanged)."""
    if not isinstance(value, str):
        return value
    if not value:
        return None
    kind, _, rest = value.partition(":")
    if kind == "size":
        product_id, colon, quantity = rest.rpartition(":")
        if not colon:
            product_id, quantity = rest, ""
        return {"kind": "size", "product_id": product_id, "quantity": int(quantity or 1)}
    if kind in {"order_id", "reference"}:
        return {"kind": kind, "intent": rest}
    raise ValueError(f"Unknown pending state {value!r}")
