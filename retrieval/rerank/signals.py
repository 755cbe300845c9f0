"""What the conversation says about the shopper's taste, as the re-ranker reads it (built by dialogue/feedback.py)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class FeedbackSignal(BaseModel):
    """One feedback event, as the re-ranker sees it (built from the conversation state by the dialogue layer)."""

    turn: int
    kind: str
    product_id: str | None = None
    detail: str = ""

    @property
    def ruled_out_brand(self) -> str | None:
        """``detail="brand:Acme"`` on a dislike: the shopper ruled the whole brand out."""
        return self.detail.split(":", 1)[1].strip() or None if self.kind == "dislike" and self.detail.startswith("brand:") else None


class ProfileSignals(BaseModel):
    """Long-term preferences of a sender (see dialogue/profiles.py)."""

    brands: dict[str, float] = Field(default_factory=dict, description="brand (lower case) → accumulated liking.")
    sizes: dict[str, float] = Field(default_factory=dict, description="size → how often chosen.")
    price_level: float | None = Field(default=None, ge=0, le=1, description="Mean price percentile (within category) of liked products.")

    def is_empty(self) -> bool:
        return not self.brands and not self.sizes and self.price_level is None


class FeedbackContext(BaseModel):
    """Everything the conversation says about the shopper's taste, for one re-ranking."""

    signals: list[FeedbackSignal] = Field(default_factory=list)
    shown_counts: dict[str, int] = Field(default_factory=dict, description="product id → turns it was shown in.")
    shown_by_turn: dict[int, list[str]] = Field(default_factory=dict, description="turn index → product ids shown then.")
    profile: ProfileSignals | None = None

    @property
    def liked(self) -> list[str]:
        return list(dict.fromkeys(s.product_id for s in self.signals if s.kind in ("like", "added_to_cart") and s.product_id))

    @property
    def disliked(self) -> list[str]:
        liked = set(self.liked)
        return list(dict.fromkeys(s.product_id for s in self.signals if s.kind == "dislike" and s.product_id and s.product_id not in liked))

    @property
    def ruled_out_brands(self) -> list[str]:
        return list(dict.fromkeys(b for s in self.signals if (b := s.ruled_out_brand)))

    def is_empty(self) -> bool:
        return not self.signals and not self.shown_counts and (self.profile is None or self.profile.is_empty())
