"""Deterministic synthetic catalog (the demo catalog and scaled benchmark catalogs) and the demo orders.

Category specs live in ``data/catalog/categories.yml`` (English, USD) and ``data/catalog/categories_zh.yml`` (Chinese,
CNY; its ``locale:`` section sets the currency, shelf prices, size scales and how titles and descriptions are joined,
and each leaf names its English counterpart in ``en:``). Products are dealt round-robin over the leaf categories
(in a seeded order per round), so every prefix has the same category mix and the first N products of a larger
catalog equal the N-product catalog made with the same seed. Regenerate the committed files with::

    python -m lab.catalog.demo --orders data/orders.jsonl
    python -m lab.catalog.demo --lang zh          # data/catalog/demo_zh.jsonl
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import random
import re
import statistics
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

from core.settings import DATA_DIR
from retrieval.models import Product, Variant

log = logging.getLogger(__name__)

SPEC_PATH = DATA_DIR / "catalog" / "categories.yml"
DEMO_PATH = DATA_DIR / "catalog" / "demo.jsonl"
DEMO_COUNT = 1800
SPEC_ZH_PATH = DATA_DIR / "catalog" / "categories_zh.yml"
DEMO_ZH_PATH = DATA_DIR / "catalog" / "demo_zh.jsonl"
DEMO_ZH_COUNT = 1035  # 15 products in each of the 69 leaf categories
#: language: (spec, committed catalog, its product count)
LANGUAGES: dict[str, tuple[Path, Path, int]] = {
    "en": (SPEC_PATH, DEMO_PATH, DEMO_COUNT),
    "zh": (SPEC_ZH_PATH, DEMO_ZH_PATH, DEMO_ZH_COUNT),
}
DEMO_SEED = 7
ORDERS_SEED = 11
SIZE_SCALES: dict[str, tuple[str, ...]] = {
    "clothing": ("XS", "S", "M", "L", "XL", "XXL"),
    "jeans": ("28", "30", "32", "34", "36", "38", "40"),
    "shoes": ("6", "7", "8", "9", "10", "11", "12", "13"),
}
SIZE_WINDOWS = {"clothing": (4, 6), "jeans": (5, 7), "shoes": (6, 8)}
SIZE_WORDS = {"clothing": "sizes", "jeans": "waist sizes", "shoes": "US sizes"}
GOLDEN = 0.6180339887498949
PLASTIC = 0.7548776662466927
RATINGS = statistics.NormalDist(4.3, 0.35)
UNIT_ADJECTIVES = {"in": "inch", "inches": "inch", "ft": "foot", "cu ft": "cubic-foot", "L": "liter", "oz": "ounce",
                   "W": "watt", "lb": "pound"}
MEASURE = re.compile(r"([\d.,/–]+) (cu ft|inches|in|ft|L|oz|W|lb)")
AN_BEFORE = re.compile(r"\b([Aa]) (?=[aeioAEIO]|8|11(?!\d)|18(?!\d))")
OUT_OF_STOCK_RATE = 0.07


@dataclass(frozen=True)
class Option:
    """One value of a fact, with the words it adds to a title (before the noun, or after it when ``after``)."""

    value: str
    title: str = ""
    after: bool = False

    @classmethod
    def parse(cls, raw: Any, title_self: bool = False) -> Option:
        value, _, title = str(raw).partition("|")
        title = title if "|" in str(raw) else (value if title_self else "")
        return cls(value.strip(), title.lstrip("+").strip(), title.startswith("+"))


@dataclass(frozen=True)
class Fact:
    options: tuple[Option, ...]
    tiered: bool = False
    requires: str | None = None
    spread: float | None = None

    @classmethod
    def parse(cls, raw: Any) -> Fact:
        spec = raw if isinstance(raw, dict) else {"values": raw}
        options = tuple(Option.parse(v, bool(spec.get("title", False))) for v in spec["values"])
        return cls(options, bool(spec.get("tiered")), spec.get("requires"), spec.get("spread"))

    def pick(self, q: float, rng: random.Random) -> Option:
        if not self.tiered:
            return rng.choice(self.options)
        top = len(self.options) - 1
        index = round(q * top + rng.gauss(0, self.spread or max(0.8, len(self.options) * 0.2)))
        return self.options[min(top, max(0, index))]


@dataclass(frozen=True)
class Flag:
    p: float
    tiered: bool = False
    title: Option = Option("")
    text: str = ""
    text_no: str = ""

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> Flag:
        title = str(raw.get("title", ""))
        return cls(float(raw.get("p", 0.5)), bool(raw.get("tiered")), Option("yes", title.lstrip("+"), title.startswith("+")),
                   str(raw.get("text", "")), str(raw.get("text_no", "")))

    def chance(self, q: float) -> float:
        return min(1.0, self.p * (0.4 + 1.2 * q)) if self.tiered else self.p


@dataclass(frozen=True)
class SizeScale:
    """The sizes a clothing/jeans/shoes product is offered in: a window of ``scale`` of ``window`` sizes."""

    scale: tuple[str, ...]
    window: tuple[int, int]
    words: str
    unit: str = ""  # a suffix every size carries ("42码"); a span names it once ("38–44码")
    ranges: dict[str, tuple[str, str]] = field(default_factory=dict)  # a fact value -> the part of the scale it wears

    def scale_for(self, context: dict[str, str]) -> tuple[str, ...]:
        """The scale, or its part for a product whose facts name a range ("女款": 35码–41码)."""
        values = set(context.values())
        for value, (low, high) in self.ranges.items():
            if value in values:
                return self.scale[self.scale.index(low): self.scale.index(high) + 1]
        return self.scale

    def span(self, sizes: Sequence[str]) -> str:
        if len(sizes) == 1:
            return sizes[0]
        first = sizes[0][: -len(self.unit)] if self.unit and sizes[0].endswith(self.unit) else sizes[0]
        return f"{first}–{sizes[-1]}"


@dataclass(frozen=True)
class Locale:
    """How a spec's products are written: English (the defaults, USD) or Chinese (``locale:`` in categories_zh.yml)."""

    language: str = "en"
    currency: str = "USD"
    prices: str = "usd"  # shelf-price style: usd (49.99) or cny (49, 199, 1299)
    id_prefix: str = "P"
    yes: str = "yes"
    no: str = "no"
    lowercase: bool = True  # lower-case colours, materials and nouns inside sentences
    spaced: bool = True  # words of a title, sentences of a description are separated by spaces
    sizes: dict[str, SizeScale] = field(default_factory=lambda: {
        name: SizeScale(scale, SIZE_WINDOWS[name], SIZE_WORDS[name]) for name, scale in SIZE_SCALES.items()})
    plus_sizes: frozenset[str] = frozenset({"XXL", "13", "40"})
    plus_steps: tuple[float, ...] = (2, 3, 5)
    available: str = "Available {size_words} {span}."
    available_colors: str = "Available in {colors}, {size_words} {span}."
    fallback_intro: str = "{brand} {model} {noun_lc}."
    list_separator: str = ""  # "、" joins "黑色、白色、蓝色"; empty: English "a, b and c"
    color_codes: dict[str, str] = field(default_factory=dict)  # colour -> SKU code (its English name)

    @classmethod
    def parse(cls, raw: dict[str, Any] | None, vocabulary: dict[str, Any] | None = None) -> Locale:
        if not raw:
            return cls()
        default = cls()
        sizes = {name: SizeScale(tuple(str(s) for s in spec["scale"]), (int(spec["window"][0]), int(spec["window"][1])),
                                 str(spec.get("words", "")), str(spec.get("unit", "")),
                                 {str(k): (str(v[0]), str(v[1])) for k, v in (spec.get("ranges") or {}).items()})
                 for name, spec in (raw.get("sizes") or {}).items()} or default.sizes
        colors = (vocabulary or {}).get("colors") or {}
        return cls(
            language=str(raw.get("language", default.language)), currency=str(raw.get("currency", default.currency)),
            prices=str(raw.get("prices", default.prices)), id_prefix=str(raw.get("id_prefix", default.id_prefix)),
            yes=str(raw.get("flag_yes", default.yes)), no=str(raw.get("flag_no", default.no)),
            lowercase=bool(raw.get("lowercase", default.lowercase)), spaced=bool(raw.get("spaced", default.spaced)), sizes=sizes,
            plus_sizes=frozenset(str(s) for s in raw.get("plus_sizes", default.plus_sizes)),
            plus_steps=tuple(float(s) for s in raw.get("plus_steps", default.plus_steps)),
            available=str(raw.get("available", default.available)),
            available_colors=str(raw.get("available_colors", default.available_colors)),
            fallback_intro=str(raw.get("fallback_intro", default.fallback_intro)),
            list_separator=str(raw.get("list_separator", default.list_separator)),
            color_codes={str(k): str(v).upper().replace(" ", "") for k, v in colors.items()},
        )

    def lower(self, text: str) -> str:
        return text.lower() if self.lowercase else text

    def join(self, words: Sequence[str]) -> str:
        return self.list_separator.join(words) if self.list_separator else _join(words)

    def sku_part(self, color: str) -> str:
        return self.color_codes.get(color) or color.upper().replace(" ", "")


EN = Locale()


@dataclass(frozen=True)
class Profile:
    """A leaf category, or one kind of it, with everything needed to make a product."""

    path: tuple[str, ...]
    noun: str
    brands: tuple[str, ...]
    price: tuple[float, float]
    names: str
    kind: str | None = None
    colors: tuple[str, ...] = ()
    materials: tuple[str, ...] = ()
    material_in_title: bool | str = False
    sizes: str | Fact | None = None
    facts: dict[str, Fact] = field(default_factory=dict)
    flags: dict[str, Flag] = field(default_factory=dict)
    fixed: dict[str, str] = field(default_factory=dict)
    title_words: tuple[str, ...] = ()
    intro: tuple[str, ...] = ()
    lines: tuple[str, ...] = ()

    @property
    def has_variants(self) -> bool:
        return isinstance(self.sizes, str)


@dataclass(frozen=True)
class Category:
    profiles: tuple[Profile, ...]
    weights: tuple[float, ...]
    en: tuple[str, ...] = ()  # the English category path of a translated spec's leaf

    @property
    def path(self) -> tuple[str, ...]:
        return self.profiles[0].path


@dataclass(frozen=True)
class Spec:
    categories: tuple[Category, ...]
    names: dict[str, dict[str, Any]]
    locale: Locale = EN
    vocabulary: dict[str, dict[str, str]] = field(default_factory=dict)  # a translated spec's words -> English words


def _profile(raw: dict[str, Any], kind: dict[str, Any] | None = None) -> Profile:
    kind = kind or {}
    merged = {**raw, **{k: v for k, v in kind.items() if k not in {"facts", "flags", "fixed", "name", "weight"}}}
    facts = {**(raw.get("facts") or {}), **(kind.get("facts") or {})}
    flags = {k: {**(raw.get("flags") or {}).get(k, {}), **v} for k, v in {**(raw.get("flags") or {}), **(kind.get("flags") or {})}.items()}
    sizes = merged.get("sizes")
    return Profile(
        path=tuple(merged["path"]), noun=str(merged["noun"]), brands=tuple(merged["brands"]),
        price=(float(merged["price"][0]), float(merged["price"][1])), names=str(merged["names"]),
        kind=kind.get("name"), colors=tuple(merged.get("colors") or ()), materials=tuple(merged.get("materials") or ()),
        material_in_title=merged.get("material_in_title", False),
        sizes=sizes if isinstance(sizes, str) or sizes is None else Fact.parse(sizes),
        facts={str(k): Fact.parse(v) for k, v in facts.items()}, flags={str(k): Flag.parse(v) for k, v in flags.items()},
        fixed={str(k): str(v) for k, v in {**(raw.get("fixed") or {}), **(kind.get("fixed") or {})}.items()},
        title_words=tuple(merged.get("title_words") or ()), intro=tuple(merged.get("intro") or ()), lines=tuple(merged.get("lines") or ()),
    )


def load_spec(path: Path = SPEC_PATH) -> Spec:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader when available: 10x faster
    raw = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 - a safe loader
    categories = []
    for leaf in raw["leaves"]:
        kinds = leaf.get("kinds") or [None]
        profiles = tuple(_profile(leaf, kind) for kind in kinds)
        weights = tuple(float((k or {}).get("weight", 1)) for k in kinds)
        categories.append(Category(profiles, weights, tuple(leaf.get("en") or ())))
    vocabulary = {str(k): {str(a): str(b) for a, b in (v or {}).items()} for k, v in (raw.get("vocabulary") or {}).items()}
    return Spec(tuple(categories), raw["names"], Locale.parse(raw.get("locale"), vocabulary), vocabulary)


def leaf_names(spec_path: Path = SPEC_ZH_PATH) -> dict[str, str]:
    """English leaf category -> the translated spec's leaf category ("Running Shoes" -> "跑步鞋")."""
    return {c.en[-1]: c.path[-1] for c in load_spec(spec_path).categories if c.en}


# --------------------------------------------------------------------------------------------------- small pieces
def _charm_price(value: float, rng: random.Random, style: str = "usd") -> float:
    """A shelf price: 14.99, 49.99, 349.99, 1249.99 (sometimes .49 on cheap items); in CNY 9.9, 39, 29.9, 199, 349,
    1299, 12999."""
    if style == "cny":
        return _charm_cny(value, rng)
    if value < 20:
        return round(max(1, round(value)) - (0.51 if rng.random() < 0.2 else 0.01), 2)
    step = 5 if value < 200 else 10 if value < 1000 else 50
    return round(round(value / step) * step - 0.01, 2)


def _charm_cny(value: float, rng: random.Random) -> float:
    if value < 10:
        return round(max(1, round(value)) - 0.1, 1)
    if value < 100:
        return round(max(10, round(value / 10) * 10) - (0.1 if rng.random() < 0.3 else 1), 1)
    step = 10 if value < 300 else 50 if value < 1000 else 100 if value < 10000 else 1000
    return float(round(value / step) * step - 1)


def _price(bounds: tuple[float, float], q: float, rng: random.Random, style: str = "usd") -> float:
    low, high = bounds
    return _charm_price(low * math.exp(q * math.log(high / low)), rng, style)


def _pick_distinct(pool: Sequence[str], count: int, rng: random.Random) -> list[str]:
    picked: list[str] = []
    for _ in range(count * 8):
        choice = rng.choice(pool)
        if choice not in picked:
            picked.append(choice)
        if len(picked) == count:
            break
    return picked


def _model_name(style: dict[str, Any], rng: random.Random) -> str:
    pattern = rng.choice(style["patterns"])
    return pattern.format(
        w=rng.choice(style["words"]), x=rng.choice(style.get("seconds") or [""]), d=rng.randint(2, 9),
        n=rng.choice(style.get("numbers") or [2]), s=rng.choice(style.get("suffixes") or [""]),
    ).strip()


def _join(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _fill(template: str, context: dict[str, str]) -> str | None:
    try:
        return template.format(**context)
    except (KeyError, IndexError):
        return None


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _space_model(text: str, model: str) -> str:
    """A space after a model name that ends in a digit or letter ("星河 500 32英寸…", "星河 500 Pro 是一款…")."""
    if not model or not (model[-1].isascii() and model[-1].isalnum()):
        return text
    return re.sub(re.escape(model) + r"(?=[^\s，。、：；（）！？,.])", model + " ", text)


# --------------------------------------------------------------------------------------------------- products
@dataclass
class _Draft:
    """The facts of a product being made, before its title and description are written."""

    profile: Profile
    q: float
    attributes: dict[str, list[str]] = field(default_factory=dict)
    context: dict[str, str] = field(default_factory=dict)
    before: list[str] = field(default_factory=list)
    after: list[str] = field(default_factory=list)
    yes_texts: list[str] = field(default_factory=list)
    other_texts: list[str] = field(default_factory=list)

    def add(self, key: str, option: Option) -> None:
        self.attributes[key] = [option.value]
        self.context[key] = option.value
        measure = MEASURE.fullmatch(option.value)
        self.context[f"{key}-adj"] = f"{measure[1]}-{UNIT_ADJECTIVES[measure[2]]}" if measure else option.value
        if option.title:
            (self.after if option.after else self.before).append(option.title)


def _draft(profile: Profile, q: float, rng: random.Random, locale: Locale = EN) -> _Draft:
    draft = _Draft(profile, q)
    flag_titles = 0
    for name, flag in profile.flags.items():
        yes = rng.random() < flag.chance(q)
        draft.attributes[name] = [locale.yes if yes else locale.no]
        draft.context[name] = locale.yes if yes else locale.no
        if yes and flag.title.title and flag_titles < 2:
            flag_titles += 1
            (draft.after if flag.title.after else draft.before).append(flag.title.title)
        text = flag.text if yes else flag.text_no
        if text:
            (draft.yes_texts if yes else draft.other_texts).append(text)
    for key, fact in profile.facts.items():
        if fact.requires is None or draft.context.get(fact.requires) == locale.yes:
            draft.add(key, fact.pick(q, rng))
    for key, value in profile.fixed.items():
        draft.attributes[key] = [value]
        draft.context[key] = value
    if profile.kind:
        draft.attributes["type"] = [profile.kind]
        draft.context.setdefault("type", profile.kind)
    if profile.materials:
        material = rng.choice(profile.materials)
        draft.attributes["material"] = [material]
        draft.context["material"] = draft.context["material_lc"] = material if material.isupper() else locale.lower(material)
        if profile.material_in_title == "first":
            draft.before.insert(0, material)
        elif profile.material_in_title:
            draft.before.append(material)
    draft.before.extend(profile.title_words)
    return draft


def _colors_and_sizes(draft: _Draft, rng: random.Random, locale: Locale = EN) -> tuple[list[str], list[str]]:
    profile = draft.profile
    colors: list[str] = []
    if profile.colors:
        colors = _pick_distinct(profile.colors, rng.choice([1, 2, 2, 3, 3, 4]) if profile.has_variants else 1, rng)
    sizes: list[str] = []
    if isinstance(profile.sizes, str):
        scale = locale.sizes[profile.sizes].scale_for(draft.context)
        width = min(len(scale), rng.randint(*locale.sizes[profile.sizes].window))
        start = rng.randint(0, len(scale) - width)
        sizes = list(scale[start:start + width])
    elif isinstance(profile.sizes, Fact):
        sizes = [profile.sizes.pick(draft.q, rng).value]
    if colors:
        draft.attributes["color"] = colors
        draft.context["color"] = locale.lower(colors[0])
        draft.context["colors"] = locale.join([locale.lower(c) for c in colors])
    if sizes:
        draft.attributes["size"] = sizes
        draft.context["size"] = sizes[0]
    return colors, sizes


def _title(draft: _Draft, brand: str, model: str, colors: list[str], sizes: list[str], locale: Locale = EN) -> str:
    if locale.spaced:
        words = [brand, model, *dict.fromkeys(draft.before), draft.profile.noun, *draft.after]
        title = " ".join(w for w in words if w)
    else:  # "踏云 轻跑3代 男款透气跑步鞋": brand and model apart, the describing words run into the noun
        title = " ".join(w for w in (brand, model, "".join([*dict.fromkeys(draft.before), draft.profile.noun, *draft.after])) if w)
    if not draft.profile.has_variants:
        tail = [*colors[:1], *sizes[:1]]
        if tail:
            title += (", " + ", ".join(tail)) if locale.spaced else (" " + " ".join(tail))
    return title


def _variants(pid: str, price: float, colors: list[str], sizes: list[str], out_of_stock: bool, rng: random.Random,
              locale: Locale = EN) -> list[Variant]:
    combos = [(c, s) for c in colors or [""] for s in sizes]
    cap = max(3, 500 // max(1, len(combos)))
    twist = rng.random()
    sale_color = rng.choice(colors) if colors and twist < 0.06 else None
    variants = []
    for color, size in combos:
        stock = 0 if out_of_stock or rng.random() < 0.12 else rng.randint(1, cap)
        vprice = None
        if sale_color == color and len(colors) > 1:
            vprice = _charm_price(price * rng.uniform(0.7, 0.85), rng, locale.prices)
        elif 0.06 <= twist < 0.14 and size in locale.plus_sizes:
            vprice = round(price + rng.choice(locale.plus_steps), 2)
        attrs = {"size": size, **({"color": color} if color else {})}
        size_code = size if locale.language == "en" else re.sub(r"[^0-9A-Za-z.]", "", size) or size
        sku = "-".join(p for p in (pid, locale.sku_part(color) if color else "", size_code) if p)
        variants.append(Variant(sku=sku, attributes=attrs, price=vprice, stock=stock))
    if not out_of_stock and not any(v.stock for v in variants):
        variants[0].stock = rng.randint(1, cap)
    return variants


def _description(draft: _Draft, rng: random.Random, colors: list[str], sizes: list[str], locale: Locale = EN) -> str:
    profile = draft.profile
    intros = list(profile.intro)
    rng.shuffle(intros)
    intro = next((s for s in (_fill(t, draft.context) for t in intros) if s), None)
    intro = intro or locale.fallback_intro.format(**draft.context)
    lines = [s for s in (_fill(t, draft.context) for t in profile.lines) if s]
    extras = list(draft.yes_texts)
    rng.shuffle(extras)
    rest = draft.other_texts + lines
    rng.shuffle(rest)
    extras += rest
    if profile.has_variants and isinstance(profile.sizes, str):
        scale = locale.sizes[profile.sizes]
        available = (locale.available_colors if colors else locale.available).format(
            colors=draft.context.get("colors", ""), size_words=scale.words, span=scale.span(sizes))
        extras = [*extras[: rng.choice([0, 1, 1])], available]
    else:
        extras = extras[: rng.choice([1, 2, 2])]
    if not locale.spaced:
        return _space_model("".join([intro, *extras]), draft.context["model"])
    return AN_BEFORE.sub(r"\1n ", " ".join(_sentence(s) for s in [intro, *extras]))


def _rating_and_reviews(u: float, rng: random.Random) -> tuple[float | None, int]:
    """Rating from a stratified quantile ``u`` (so every category gets the same skewed-high spread) and a review count."""
    if rng.random() < 0.05:
        return None, 0
    reviews = min(5000, max(1, int(rng.lognormvariate(4.2, 1.4))))
    rating = 1.0 + u / 0.06 * 2.5 if u < 0.06 else RATINGS.inv_cdf(min(0.999, (u - 0.06) / 0.94 + 0.001))
    return round(min(5.0, max(1.0, rating)), 1), reviews


def make_product(index: int, category: Category, nth: int, spec: Spec, seed: int, titles: set[str]) -> Product:
    """The ``nth`` product of ``category``, which is product number ``index`` of the catalog."""
    rng = random.Random(f"{seed}:{index}")
    profile = rng.choices(category.profiles, weights=category.weights)[0]
    offsets = random.Random(f"{seed}:{'/'.join(category.path)}")
    q = min(1.0, max(0.0, (nth * GOLDEN + offsets.random()) % 1.0 + rng.uniform(-0.02, 0.02)))
    u = (nth * PLASTIC + offsets.random()) % 1.0
    locale = spec.locale
    pid = f"{locale.id_prefix}{index + 1:05d}"
    brand = rng.choice(profile.brands)
    draft = _draft(profile, q, rng, locale)
    colors, sizes = _colors_and_sizes(draft, rng, locale)
    style = spec.names[profile.names]
    title = model = ""
    for attempt in range(40):
        model = _model_name(style, rng) if attempt < 30 else f"{_model_name(style, rng)} {attempt - 28}"
        title = _title(draft, brand, model, colors, sizes, locale)
        if title not in titles:
            break
    titles.add(title)
    price = _price(profile.price, q, rng, locale.prices)
    draft.context.update(brand=brand, model=model, noun=profile.noun, noun_lc=locale.lower(profile.noun))
    out_of_stock = rng.random() < OUT_OF_STOCK_RATE
    variants = _variants(pid, price, colors, sizes, out_of_stock, rng, locale) if profile.has_variants else []
    stock = sum(v.stock for v in variants) if variants else 0 if out_of_stock else int(rng.triangular(1, 500, 30))
    rating, reviews = _rating_and_reviews(u, rng)
    return Product(
        id=pid, title=title, brand=brand, category=list(profile.path), price=price, currency=locale.currency,
        attributes=draft.attributes, variants=variants, rating=rating, review_count=reviews, stock=stock,
        description=_description(draft, rng, colors, sizes, locale),
        image_url=None if rng.random() < 0.1 else f"https://example.com/img/{pid}.jpg",
    )


def generate_products(count: int, seed: int = DEMO_SEED, spec_path: Path = SPEC_PATH) -> Iterator[Product]:
    """``count`` products, dealt round-robin over the leaf categories; the same seed always gives the same catalog.
    ``spec_path`` picks the spec (and with it the language): SPEC_PATH (English) or SPEC_ZH_PATH (Chinese)."""
    spec = load_spec(spec_path)
    total = len(spec.categories)
    titles: set[str] = set()
    made: dict[int, int] = {}
    order: list[int] = []
    for index in range(count):
        rnd, position = divmod(index, total)
        if position == 0:
            order = list(range(total))
            random.Random(f"{seed}:round:{rnd}").shuffle(order)
        leaf = order[position]
        nth = made.get(leaf, 0)
        made[leaf] = nth + 1
        yield make_product(index, spec.categories[leaf], nth, spec, seed, titles)


def write_jsonl(records: Iterable[Product] | Iterable[dict[str, Any]], path: Path) -> int:
    """Write products (or plain dicts) one JSON object a line; returns how many were written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with path.open("w", encoding="utf-8") as handle:
        for record in records:
            data = record.model_dump(mode="json", exclude_none=True) if isinstance(record, Product) else record
            if isinstance(record, Product) and not record.reviews:
                data.pop("reviews", None)  # generated products have none (the committed demo files never had the key)
            handle.write(json.dumps(data, ensure_ascii=False) + "\n")
            written += 1
    return written


# ----------------------------------------------------------------------------------------------------- orders
REFERENCE_DATE = date(2026, 11, 20)
CARRIERS = (("SwiftParcel", "SP"), ("Northline Express", "NX"), ("ParcelJet", "PJ"))
FREIGHT = ("Homeline Freight", "HF")
DEMO_SENDER_STATUSES = ("processing", "shipped", "delivered", "delivered", "cancelled", "returned", "shipped", "processing")
#: status: (days before the reference date it was placed, days from placing to (estimated) delivery)
STATUS_TIMING = {"processing": ((0, 2), (5, 7)), "shipped": ((2, 5), (5, 8)), "delivered": ((8, 45), (3, 6)),
                 "cancelled": ((3, 40), (0, 0)), "returned": ((30, 90), (3, 6))}
BULKY = {"Furniture", "Appliances"}


def generate_orders(products: Sequence[Product], seed: int = ORDERS_SEED) -> list[dict[str, Any]]:
    """40 demo orders of in-stock catalog products: 8 for "demo-shopper", 4 each for shopper-1 ... shopper-8."""
    rng = random.Random(seed)
    stocked = [p for p in products if p.in_stock]
    plan = [("demo-shopper", s) for s in DEMO_SENDER_STATUSES]
    statuses = ["processing", "shipped", "delivered", "delivered", "delivered", "cancelled", "returned"]
    plan += [(f"shopper-{n}", rng.choice(statuses)) for n in range(1, 9) for _ in range(4)]
    orders = []
    for sender, status in plan:
        items: list[Product] = []
        while not items or sum(p.price for p in items) < 50:  # every demo order qualifies for free shipping
            candidate = rng.choice(stocked)
            if candidate not in items and len(items) < 3:
                items.append(candidate)
            elif len(items) >= 3:
                items = []
        lines = [{"product_id": p.id, "title": p.title, "quantity": 1 if p.price > 60 or rng.random() < 0.7 else 2, "price": p.price}
                 for p in items]
        placed_ago, delivery_days = STATUS_TIMING[status]
        placed = REFERENCE_DATE - timedelta(days=rng.randint(*placed_ago))
        order: dict[str, Any] = {"sender": sender, "status": status, "placed_at": placed,
                                 "items": lines, "total": round(sum(i["price"] * i["quantity"] for i in lines), 2),
                                 "currency": items[0].currency, "carrier": None, "tracking_number": None, "estimated_delivery": None}
        if status != "cancelled":
            carrier, prefix = FREIGHT if any(p.category[0] in BULKY and p.price > 250 for p in items) else rng.choice(CARRIERS)
            order["carrier"] = carrier
            order["estimated_delivery"] = (placed + timedelta(days=rng.randint(*delivery_days))).isoformat()
            if status != "processing":
                order["tracking_number"] = f"{prefix}{rng.randrange(10**11, 10**12)}"
        orders.append(order)
    orders.sort(key=lambda o: (o["placed_at"], o["sender"]))
    for number, order in enumerate(orders, start=10001):
        order["order_id"] = f"ORD-{number}"
        order["placed_at"] = order["placed_at"].isoformat()
    keys = ("order_id", "sender", "status", "placed_at", "items", "total", "currency", "carrier", "tracking_number", "estimated_delivery")
    return [{k: o[k] for k in keys} for o in orders]


# ------------------------------------------------------------------------------------------------------- CLI
def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write the synthetic catalog (and optionally the demo orders) as JSON Lines.")
    parser.add_argument("--lang", choices=sorted(LANGUAGES), default="en",
                        help="catalog language: en (categories.yml, USD) or zh (categories_zh.yml, CNY); sets the defaults below")
    parser.add_argument("--count", type=int, default=None,
                        help=f"number of products (default {DEMO_COUNT} for en, {DEMO_ZH_COUNT} for zh: the demo catalogs)")
    parser.add_argument("--seed", type=int, default=DEMO_SEED)
    parser.add_argument("--spec", type=Path, default=None, help="category spec to read (default: the language's)")
    parser.add_argument("--out", type=Path, default=None,
                        help="catalog file to write (default: data/catalog/demo.jsonl, or demo_zh.jsonl for zh)")
    parser.add_argument("--orders", type=Path, default=None, help="also write demo orders drawn from this catalog to this file (en only)")
    args = parser.parse_args(argv)
    spec_path, out_path, demo_count = LANGUAGES[args.lang]
    if args.orders is not None and args.lang != "en":
        parser.error("--orders: the demo orders are English (USD carriers and free-shipping threshold); use --lang en")
    args.spec, args.out, args.count = args.spec or spec_path, args.out or out_path, args.count or demo_count
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    products = list(generate_products(args.count, seed=args.seed, spec_path=args.spec))
    written = write_jsonl(products, args.out)
    log.info("wrote %d products to %s", written, args.out)
    if args.orders is not None:
        orders = generate_orders(products)
        write_jsonl(orders, args.orders)
        log.info("wrote %d orders to %s", len(orders), args.orders)


if __name__ == "__main__":
    main()
