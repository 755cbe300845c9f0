"""Catalog domain model: products, their variants, search constraints and ranked hits."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from core.money import money

#: Attribute keys every part of ShopAssist understands; catalogs may add others.
CORE_ATTRIBUTES = ("color", "size", "material")


def _norm(value: str) -> str:
    return " ".join(value.lower().split())


class Variant(BaseModel):
    """One purchasable option of a product (a size/colour combination)."""

    model_config = ConfigDict(extra="forbid")

    sku: str = Field(min_length=1)
    attributes: dict[str, str] = Field(default_factory=dict)
    price: float | None = Field(default=None, ge=0)
    stock: int = Field(default=0, ge=0)

    @field_validator("attributes", mode="before")
    @classmethod
    def _lower_keys(cls, value: dict[str, Any]) -> dict[str, str]:
        return {str(k).strip().lower(): str(v).strip() for k, v in (value or {}).items() if str(v).strip()}


class Review(BaseModel):
    """One shopper's review as the catalog carries it (the text is quoted, never rewritten)."""

    text: str = Field(min_length=1, max_length=5000)
    rating: float | None = Field(default=None, ge=0, le=5)
    title: str | None = None
    author: str | None = None

    @field_validator("text", "title", "author", mode="before")
    @classmethod
    def _strip(cls, value: Any) -> Any:
        return " ".join(str(value).split()) if value is not None else None


MAX_REVIEWS = 50  # review texts kept per product (the rating and count still cover all of them)



class Product(BaseModel):
    """A catalog product. Facts shown to shoppers always come from here."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    brand: str | None = None
    category: list[str] = Field(min_length=1, description="Category path, root first.")
    price: float = Field(ge=0)
    currency: str = Field(default="USD", min_length=3, max_length=3)
    attributes: dict[str, list[str]] = Field(default_factory=dict, description="color/size/material and any other facts.")
    variants: list[Variant] = Field(default_factory=list)
    rating: float | None = Field(default=None, ge=0, le=5)
    review_count: int = Field(default=0, ge=0)
    stock: int = Field(default=0, ge=0)
    description: str = ""
    image_url: str | None = None
    reviews: list[Review] = Field(default_factory=list, description=f"Review texts, at most {MAX_REVIEWS}.")

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_text(cls, value: Any) -> Any:
        return str(value).strip() if isinstance(value, (int, float, str)) else value

    @field_validator("brand", mode="before")
    @classmethod
    def _blank_brand_is_none(cls, value: Any) -> Any:
        return None if value is None or not str(value).strip() else str(value).strip()

    @field_validator("category", mode="before")
    @classmethod
    def _split_category(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [part for part in (p.strip() for p in value.replace("/", ">").split(">")) if part]
        return value

    @field_validator("attributes", mode="before")
    @classmethod
    def _listify_attributes(cls, value: Any) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for key, raw in (value or {}).items():
            items = raw if isinstance(raw, (list, tuple, set)) else [raw]
            cleaned = [str(v).strip() for v in items if v is not None and str(v).strip()]
            if cleaned:
                out[str(key).strip().lower()] = list(dict.fromkeys(cleaned))
        return out

    @field_validator("reviews", mode="before")
    @classmethod
    def _usable_reviews(cls, value: Any) -> Any:
        """Reviews without text are dropped (their ratings count through ``rating``); at most MAX_REVIEWS kept."""
        if not isinstance(value, list):
            return value
        kept = [r for r in value if not isinstance(r, dict) or str(r.get("text") or "").strip()]
        return kept[:MAX_REVIEWS]

    @field_validator("currency", mode="before")
    @classmethod
    def _upper_currency(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _merge_variant_attributes(self) -> Product:
        """A product offers every size/colour its variants offer; its stock is theirs when it has none of its own."""
        known: dict[str, set[str]] = {}
        for variant in self.variants:
            for key, val in variant.attributes.items():
                values = self.attributes.setdefault(key, [])
                seen = known.get(key)
                if seen is None:
                    seen = known[key] = {_norm(v) for v in values}
                normal = _norm(val)
                if normal not in seen:
                    seen.add(normal)
                    values.append(val)
        if self.variants and self.stock == 0:
            self.stock = sum(v.stock for v in self.variants)
        return self

    # Convenience views -------------------------------------------------
    @property
    def in_stock(self) -> bool:
        return self.stock > 0

    @property
    def leaf_category(self) -> str:
        return self.category[-1]

    def values(self, key: str) -> list[str]:
        return self.attributes.get(key, [])

    def has_value(self, key: str, value: str) -> bool:
        wanted = _norm(value)
        return any(_norm(v) == wanted for v in self.values(key))

    def in_category(self, category: str) -> bool:
        """True when ``category`` names any level of the category path (case-insensitive)."""
        wanted = _norm(category)
        return any(_norm(level) == wanted for level in self.category)

    def embedding_text(self) -> str:
        """Title plus the key facts a shopper searches by; what the dense index embeds."""
        parts = [self.title]
        if self.brand:
            parts.append(f"by {self.brand}")
        parts.append(" > ".join(self.category))
        for key in CORE_ATTRIBUTES:
            if self.values(key):
                parts.append(f"{key}: {', '.join(self.values(key)[:6])}")
        if self.description:
            parts.append(self.description.split(". ")[0][:160])
        return ". ".join(parts)

    def lexical_text(self) -> str:
        """Everything a keyword search should match."""
        attrs = " ".join(f"{k} {' '.join(v)}" for k, v in self.attributes.items())
        return " ".join([self.title, self.brand or "", " ".join(self.category), attrs, self.description])


#: A ``gender`` attribute's values as a card's reason says them ("matches men's, size 10").
WHOSE = {"men": "men's", "women": "women's"}
#: How a catalog writes the values of a yes/no attribute ("wireless": yes, 防水: 是).
YES_VALUES = frozenset({"yes", "true", "y", "1", "是", "有", "支持"})
NO_VALUES = frozenset({"no", "false", "n", "0", "none", "否", "无", "没有", "不支持"})


def value_phrase(key: str, value: str) -> str:
    """One attribute value as a filter's words say it: "size 10", "men's", "OLED", and a yes/no attribute by its name
    ("wireless", "non-wireless"; 防水, 非防水)."""
    norm = _norm(value)
    if key == "size":
        return f"size {value}"
    if key == "gender":
        return WHOSE.get(norm, value)
    name = key.upper() if len(key) <= 3 and key.isascii() else key  # "5g", "gps": 5G, GPS
    if norm in YES_VALUES:
        return name
    if norm in NO_VALUES:
        return f"非{name}" if re.search(r"[\u3400-\u9fff]", key) else f"non-{name}"
    return value


class SearchConstraints(BaseModel):
    """Hard constraints a search must satisfy. Empty means unconstrained."""

    model_config = ConfigDict(extra="forbid")

    category: str | None = Field(default=None, description="Matches any level of the category path.")
    categories_out: list[str] = Field(default_factory=list, description="Matches none of these at any level of the path "
                                      '("not a knife", "no vases").')
    brands_in: list[str] = Field(default_factory=list)
    brands_out: list[str] = Field(default_factory=list)
    price_min: float | None = Field(default=None, ge=0)
    price_max: float | None = Field(default=None, ge=0)
    attributes_in: dict[str, list[str]] = Field(default_factory=dict, description="Each key: any of the values.")
    attributes_out: dict[str, list[str]] = Field(default_factory=dict, description="Each key: none of the values.")
    rating_min: float | None = Field(default=None, ge=0, le=5)
    in_stock: bool = False
    stock_first: bool = Field(default=True, description="Rank in-stock products above out-of-stock ones (ranking, not a filter).")
    exclude_ids: list[str] = Field(default_factory=list)

    def matches(self, product: Product) -> bool:
        return not self.violations(product)

    def violations(self, product: Product) -> list[str]:
        """Names of the constraints ``product`` breaks (empty when it satisfies all)."""
        broken: list[str] = []
        if self.category and not product.in_category(self.category):
            broken.append("category")
        if any(product.in_category(c) for c in self.categories_out):
            broken.append("categories_out")
        brand = _norm(product.brand or "")
        if self.brands_in and brand not in {_norm(b) for b in self.brands_in}:
            broken.append("brands_in")
        if self.brands_out and brand in {_norm(b) for b in self.brands_out}:
            broken.append("brands_out")
        if self.price_min is not None and product.price < self.price_min:
            broken.append("price_min")
        if self.price_max is not None and product.price > self.price_max:
            broken.append("price_max")
        for key, values in self.attributes_in.items():
            if values and not any(product.has_value(key, v) for v in values):
                broken.append(f"attributes_in.{key}")
        for key, values in self.attributes_out.items():
            if any(product.has_value(key, v) for v in values):
                broken.append(f"attributes_out.{key}")
        if self.rating_min is not None and (product.rating or 0) < self.rating_min:
            broken.append("rating_min")
        if self.in_stock and not product.in_stock:
            broken.append("in_stock")
        if product.id in self.exclude_ids:
            broken.append("exclude_ids")
        return broken

    def is_empty(self) -> bool:
        return self == SearchConstraints()

    def price_phrase(self, currency: str = "USD", *, short: bool = False) -> str | None:
        """The budget in words, in ``currency`` ("under $50.00", "between ¥20.00 and ¥50.00", "over $100.00"; ``short``:
        whole amounts without cents, "under $50"), or None."""
        low, high = self.price_min, self.price_max
        if low is not None and high is not None:
            return f"between {money(low, currency, short=short)} and {money(high, currency, short=short)}"
        if high is not None:
            return f"under {money(high, currency, short=short)}"
        return f"over {money(low, currency, short=short)}" if low is not None else None

    def describe_match(self, product: Product) -> str:
        """A short phrase of the constraints ``product`` satisfies, e.g. "blue, Acme, under $50" (amounts in the product's
        currency)."""
        bits: list[str] = []
        for key, values in self.attributes_in.items():
            met = [v for v in product.values(key) if any(_norm(v) == _norm(w) for w in values)]
            bits.extend(value_phrase(key, v) for v in met)
        if self.brands_in and product.brand:
            bits.append(product.brand)
        if self.price_max is not None and self.price_min is not None:
            bits.append(f"{money(self.price_min, product.currency, short=True)}–{money(self.price_max, product.currency, short=True)}")
        elif (budget := self.price_phrase(product.currency, short=True)) is not None:
            bits.append(budget)
        if self.rating_min is not None and product.rating is not None:
            bits.append(f"rated {product.rating:.1f}★")
        if self.in_stock:
            bits.append("in stock")
        return ", ".join(dict.fromkeys(bits))


class ProductHit(BaseModel):
    """A ranked search result with the reasons it was ranked there."""

    product: Product
    score: float
    reasons: list[str] = Field(default_factory=list)
    signals: dict[str, float] = Field(default_factory=dict, description="Component scores (fused, dense) and how many of "
                                      "the request's words the product's text has (terms_matched).")
