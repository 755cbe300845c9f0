"""The orders table customer-service turns read and update, seeded with a shop's demo orders: ``data/orders.jsonl``
(the English demo shop, USD) or ``data/orders_zh.jsonl`` (the Chinese demo shop, CNY). Every order carries the
currency its amounts are in; replies state them in it."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import JSON, String, delete, func, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from dialogue.sql import make_engine, schema_lock

OrderStatus = Literal["processing", "shipped", "delivered", "cancelled", "returned"]
ORDER_ID = re.compile(r"^ORD-\d{5}$")
#: The demo orders of each demo catalog's shop (``Settings.catalog``), in that shop's currency.
DEMO_ORDERS: dict[str, str] = {"en": "orders.jsonl", "zh": "orders_zh.jsonl"}


class OrderItem(BaseModel):
    product_id: str
    title: str
    quantity: int = Field(ge=1)
    price: float = Field(ge=0)


class Order(BaseModel):
    order_id: str
    sender: str
    status: OrderStatus
    placed_at: date | datetime
    items: list[OrderItem]
    total: float
    currency: str = Field(default="USD", min_length=3, max_length=3, description="The currency of its prices and total.")
    carrier: str | None = None
    tracking_number: str | None = None
    estimated_delivery: date | datetime | None = None

    @property
    def cancellable(self) -> bool:
        return self.status == "processing"

    @property
    def returnable(self) -> bool:
        return self.status == "delivered"


class LookupResult(BaseModel):
    """Either the order, or why there is none to show (never another sender's order)."""

    order: Order | None = None
    problem: Literal["invalid_id", "not_found"] | None = None


class _Base(DeclarativeBase):
    pass


class OrderRow(_Base):
    __tablename__ = "orders"
    order_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    sender: Mapped[str] = mapped_column(String(128), index=True)
    status: Mapped[str] = mapped_column(String(16))
    data: Mapped[dict] = mapped_column(JSON)


class OrderBook:
    def __init__(self, url: str, seed_file: Path | None = None) -> None:
        self.engine: Engine = make_engine(url)
        self.seed_file = seed_file
        with schema_lock(self.engine) as connection:  # workers starting together on PostgreSQL create and seed once
            _Base.metadata.create_all(connection)
            if seed_file is not None and seed_file.exists():
                self._seed(connection, seed_file)

    def reset(self) -> None:
        """Every order as the seed file has it, and no other (evaluations that replay conversations which cancel orders)."""
        with self.engine.begin() as connection:
            connection.execute(delete(OrderRow))
            if self.seed_file is not None and self.seed_file.exists():
                self._seed(connection, self.seed_file)

    def _seed(self, connection: Connection, seed_file: Path) -> None:
        with Session(bind=connection) as session:
            if session.scalar(select(func.count()).select_from(OrderRow)):
                return
            for line in seed_file.read_text().splitlines():
                if line.strip():
                    order = Order.model_validate_json(line)
                    session.add(OrderRow(order_id=order.order_id, sender=order.sender, status=order.status, data=order.model_dump(mode="json")))
            session.flush()

    def lookup(self, order_id: str, sender: str) -> LookupResult:
        if not ORDER_ID.match(order_id):
            return LookupResult(problem="invalid_id")
        with Session(self.engine) as session:
            row = session.get(OrderRow, order_id)
            if row is None or row.sender != sender:  # another sender's order is reported exactly like a missing one
                return LookupResult(problem="not_found")
            return LookupResult(order=self._order(row))

    def orders_of(self, sender: str) -> list[Order]:
        with Session(self.engine) as session:
            rows = session.scalars(select(OrderRow).where(OrderRow.sender == sender).order_by(OrderRow.order_id)).all()
            return [self._order(r) for r in rows]

    def set_status(self, order_id: str, sender: str, status: OrderStatus) -> Order | None:
        with Session(self.engine) as session:
            row = session.get(OrderRow, order_id)
            if row is None or row.sender != sender:
                return None
            order = self._order(row).model_copy(update={"status": status})
            row.status, row.data = status, order.model_dump(mode="json")
            session.commit()
            return order

    @staticmethod
    def _order(row: OrderRow) -> Order:
        data = dict(row.data)
        data["status"] = row.status
        return Order.model_validate(data)

