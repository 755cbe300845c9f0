"""The order book on a real SQLite database: seeded once, changed by cancellations, reset to its seed on request."""

from __future__ import annotations

from pathlib import Path

from core.settings import DATA_DIR
from dialogue.orders import DEMO_ORDERS, OrderBook


def test_reset_puts_every_order_back_as_seeded(tmp_path: Path) -> None:
    book = OrderBook(f"sqlite:///{tmp_path / 'orders.db'}", DATA_DIR / DEMO_ORDERS["en"])
    order = next(o for o in book.orders_of("demo-shopper") if o.cancellable)
    assert book.set_status(order.order_id, "demo-shopper", "cancelled") is not None
    assert book.lookup(order.order_id, "demo-shopper").order.status == "cancelled"
    book.reset()
    assert book.lookup(order.order_id, "demo-shopper").order.status == order.status
    reopened = OrderBook(f"sqlite:///{tmp_path / 'orders.db'}", DATA_DIR / DEMO_ORDERS["en"])  # seeded once: not twice
    assert len(reopened.orders_of("demo-shopper")) == len(book.orders_of("demo-shopper"))
