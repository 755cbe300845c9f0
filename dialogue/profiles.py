"""Long-term shopper profiles: what a sender liked across conversations (brands, sizes, price level).

Stored in a ``sender_profiles`` table beside the conversations (same SQLAlchemy URL). Learned from feedback events
after each turn; read by the re-ranker as a gentle bias; cleared by "forget my preferences"."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from contextlib import AbstractContextManager
from datetime import datetime

from pydantic import BaseModel, Field
from sqlalchemy import JSON, DateTime, String, delete
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from dialogue.sql import create_tables, guarded_session, make_engine
from dialogue.state import CartItem, FeedbackRecord, now
from retrieval.models import Product
from retrieval.rerank import PriceBands, ProfileSignals

log = logging.getLogger(__name__)

#: How much each kind of feedback moves a brand's long-term score.
BRAND_STEP = {"like": 1.0, "added_to_cart": 1.5, "dislike": -0.5}
BRAND_RANGE = (-3.0, 5.0)
#: Seconds a profile read stays cached in-process (this process's own writes refresh it at once).
CACHE_SECONDS = 10.0


class _Base(DeclarativeBase):
    pass


class ProfileRow(_Base):
    __tablename__ = "sender_profiles"
    sender: Mapped[str] = mapped_column(String(128), primary_key=True)
    payload: Mapped[dict] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SenderProfile(BaseModel):
    sender: str
    brands: dict[str, float] = Field(default_factory=dict, description="brand (lower case) → score (likes +, dislikes −).")
    sizes: dict[str, float] = Field(default_factory=dict, description="size → times bought.")
    price_sum: float = Field(default=0.0, description="Sum of the price percentiles of liked/bought products.")
    price_count: int = 0
    events: int = 0

    @property
    def price_level(self) -> float | None:
        return round(self.price_sum / self.price_count, 4) if self.price_count else None

    def signals(self) -> ProfileSignals:
        return ProfileSignals(brands=dict(self.brands), sizes=dict(self.sizes), price_level=self.price_level)

    def learn(self, kind: str, product: Product, percentile: float | None, size: str | None = None) -> bool:
        """Fold one feedback event in; False when the event says nothing long-term."""
        step = BRAND_STEP.get(kind)
        if step is None:
            return False
        if product.brand:
            key = product.brand.lower()
            self.brands[key] = round(min(max(self.brands.get(key, 0.0) + step, BRAND_RANGE[0]), BRAND_RANGE[1]), 4)
        if step > 0 and percentile is not None:
            self.price_sum += percentile
            self.price_count += 1
        if kind == "added_to_cart" and size:
            self.sizes[size] = self.sizes.get(size, 0.0) + 1.0
        self.events += 1
        return True


class ProfileStore:
    """Sender profiles in SQL (SQLite by default, any SQLAlchemy URL)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: Engine = make_engine(url)
        create_tables(self.engine, _Base.metadata, "Profile database")
        self._cache: dict[str, tuple[float, ProfileSignals | None]] = {}
        self._guard = threading.Lock()

    def get(self, sender: str) -> SenderProfile | None:
        with self._session() as session:
            row = session.get(ProfileRow, sender)
            return None if row is None else SenderProfile.model_validate({**row.payload, "sender": sender})

    def signals(self, sender: str) -> ProfileSignals | None:
        """What the re-ranker uses (read once per turn, so cached briefly)."""
        with self._guard:
            cached = self._cache.get(sender)
        if cached is not None and time.monotonic() - cached[0] < CACHE_SECONDS:
            return cached[1]
        profile = self.get(sender)
        signals = None if profile is None else profile.signals()
        self._remember(sender, signals)
        return signals

    def _remember(self, sender: str, signals: ProfileSignals | None) -> None:
        with self._guard:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[sender] = (time.monotonic(), signals)

    def learn(self, sender: str, records: Iterable[FeedbackRecord], products: dict[str, Product], bands: PriceBands | None,
              cart: list[CartItem] | None = None) -> SenderProfile | None:
        """Fold feedback ``records`` (with their products) into the sender's profile and store it."""
        records = [r for r in records if r.product_id in products and r.kind in BRAND_STEP]
        if not records:
            return None
        with self._session() as session:
            row = session.get(ProfileRow, sender)
            profile = SenderProfile.model_validate({**(row.payload if row else {}), "sender": sender})
            for record in records:
                product = products[record.product_id or ""]
                size = next((item.variant.get("size") for item in cart or [] if item.product_id == product.id and item.variant.get("size")), None)
                profile.learn(record.kind, product, bands.percentile(product) if bands else None, size)
            payload = profile.model_dump(exclude={"sender"})
            if row is None:
                session.add(ProfileRow(sender=sender, payload=payload, updated_at=now()))
            else:
                row.payload, row.updated_at = payload, now()
            session.commit()
        self._remember(sender, profile.signals())
        log.debug("profile.learned sender=%s events=%d", sender, len(records))
        return profile

    def forget(self, sender: str) -> bool:
        """Delete the sender's profile; True when there was one."""
        with self._session() as session:
            deleted = session.execute(delete(ProfileRow).where(ProfileRow.sender == sender)).rowcount
            session.commit()
        self._remember(sender, None)
        return bool(deleted)

    def _session(self) -> AbstractContextManager[Session]:
        return guarded_session(self.engine, "Profile database")


