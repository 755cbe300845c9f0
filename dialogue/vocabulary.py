"""The catalog's own words: every surface form a shopper may use for a category, brand, colour, size or material,
mapped to the catalog's display value ("running shoe" → "Running Shoes", "couch" → "Sofas", "grey" → "Gray").

Surface forms are ranked by tier (lower wins): the catalog's own values first, then their plural/singular forms, the
shopper-facing synonyms of the NLU data, built-in synonyms, parts of "A & B" names, shared head nouns ("lamps" →
"Lighting") and, optionally, Shopify taxonomy names. A catalog value is therefore never remapped by a synonym ("navy"
stays "Navy" when the catalog sells navy). The vocabulary is a pydantic model: save it beside the catalog as JSON.

Chinese (``chinese=True``, the default): the Chinese forms of ``dialogue.lexicon_zh`` (红的/藏青/跑鞋/纯棉/大码 ...,
each with its English canonical value) are added at the built-in synonym tier, resolved against whichever catalog
this is. The English demo catalog takes them as they are (跑鞋 → "running shoes" → Running Shoes); a catalog whose
values are Chinese (data/catalog/demo_zh.jsonl: 红色, 跑步鞋, 纯棉) first gets its values' English names as forms
("red" → 红色, "running shoes" → 跑步鞋), so Chinese synonyms (红 → "red" → 红色), English words, and synonym tables
whose canonical values are English (data/nlu_zh/synonyms.yml, data/nlu/synonyms.yml) all reach the Chinese values.
Keys of Han forms have no spaces ("跑步鞋", "m码"); ``dialogue.entities`` matches them character by character.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from dialogue.lexicon import (
    CATEGORY_GROUPS,
    COLOR_GROUPS,
    COLOR_MODIFIERS,
    MATERIAL_GROUPS,
    SIZE_GROUPS,
    english_words,
    inflections,
    normalize,
    singular,
    tokens_of,
)
from dialogue.lexicon_zh import chinese_forms, has_han, head_noun
from retrieval.facets import CatalogFacets
from retrieval.models import Product

if TYPE_CHECKING:
    from retrieval.product_store import ProductStore

#: How many products' descriptions feed the known words (the titles of all of them do).
DESCRIPTION_SAMPLE = 2000

log = logging.getLogger(__name__)

Kind = Literal["category", "brand", "color", "size", "material"]
KIND_ORDER: dict[str, int] = {"category": 0, "brand": 1, "color": 2, "material": 3, "size": 4}
#: Product attribute key of each attribute kind (brand is the product's own field).
ATTRIBUTE_KEYS: dict[str, str] = {"color": "color", "size": "size", "material": "material"}
#: Head nouns too generic to stand for the one category that ends with them ("beds" is not "Dog Beds").
GENERIC_HEADS = frozenset(["table", "bed", "seat", "tool", "animal", "chair", "set", "supply", "accessory", "care", "kit", "case",
                           "part", "product", "item", "frame", "cover", "bag", "toy", "machine", "system", "holder", "stand", "box"])
DEFAULT_TAXONOMY = Path("/work/shared/data/shopify-taxonomy/categories.txt")


def _feature_words(facets: CatalogFacets) -> list[str]:
    """The words of the attributes other than colour, size, material and gender: their names ("unlocked", "noise
    cancelling") and their values without digits ("oled", "trail"), yes/no values left out."""
    others = [key for key in facets.values if key not in (*ATTRIBUTE_KEYS, "gender")]
    names = [*others, *(v for key in others for v in facets.values[key].names if not any(ch.isdigit() for ch in v))]
    return sorted({w for w in tokens_of("\n".join(names)) if w.isalpha() and w not in ("yes", "no")})


class Tier(IntEnum):
    CATALOG = 0
    INFLECTED = 1
    USER_SYNONYM = 2
    BUILTIN_SYNONYM = 3
    NAME_PART = 4
    HEAD_NOUN = 5
    TAXONOMY = 6


class SurfaceForm(BaseModel):
    """One meaning of a surface form: ``kind`` ``value`` (the catalog's display form), found at ``tier``."""

    model_config = ConfigDict(frozen=True)

    kind: Kind
    value: str
    tier: int = Field(ge=0)


class CatalogVocabulary(BaseModel):
    """Lower-cased surface forms → catalog values, per kind. Build with :meth:`from_products`."""

    categories: list[str] = Field(default_factory=list)
    category_paths: list[list[str]] = Field(default_factory=list, description="Distinct category paths, root first.")
    brands: list[str] = Field(default_factory=list)
    colors: list[str] = Field(default_factory=list)
    sizes: list[str] = Field(default_factory=list)
    materials: list[str] = Field(default_factory=list)
    synonyms: dict[str, str] = Field(default_factory=dict, description="User synonyms applied (variant → canonical).")
    forms: dict[str, list[SurfaceForm]] = Field(default_factory=dict, description="Normalised surface → meanings, best first.")
    known_words: list[str] = Field(default_factory=list, description="Words of the catalog's text: real words, never typos.")
    feature_words: list[str] = Field(default_factory=list, description="Words of the other attributes' names and values "
                                     '("unlocked", "oled", "trail"): what a request may name besides a category.')
    category_sizes: dict[str, list[str]] = Field(default_factory=dict, description="Sizes sold in each category (any level).")
    unsold: list[str] = Field(default_factory=list, description="Chinese forms of values this catalog does not sell (手机壳): "
                              "matched to name nothing, so that no shorter form inside them (手机) is read.")

    _ancestors: dict[str, set[str]] | None = PrivateAttr(default=None)

    # building ------------------------------------------------------------------------------------------
    @classmethod
    def from_store(cls, store: ProductStore, synonyms: Mapping[str, str] | None = None) -> CatalogVocabulary:
        """The vocabulary of a store's catalog, from its facets (no product parsed but the ``DESCRIPTION_SAMPLE``
        whose descriptions feed the known words)."""
        described = store.products()[:DESCRIPTION_SAMPLE]
        return cls.from_facets(store.facets(), synonyms, descriptions=[p.description for p in described])

    @classmethod
    def from_products(cls, products: Sequence[Product], synonyms: Mapping[str, str] | None = None, **options: Any) -> CatalogVocabulary:
        """The vocabulary of ``products``; the descriptions of the first ``DESCRIPTION_SAMPLE`` feed the known words."""
        descriptions = [p.description for p in products[:DESCRIPTION_SAMPLE]]
        return cls.from_facets(CatalogFacets.from_products(products), synonyms, descriptions=descriptions, **options)

    @classmethod
    def from_facets(cls, facets: CatalogFacets, synonyms: Mapping[str, str] | None = None, *, descriptions: Iterable[str] = (),
                    builtin_synonyms: bool = True, chinese: bool = True) -> CatalogVocabulary:
        """The vocabulary of a catalog's ``facets``; ``synonyms`` (variant → canonical, e.g. Rasa ``synonym:`` blocks)
        are resolved against the catalog. The words of the titles and of ``descriptions`` are its ``known_words``.
        ``chinese`` adds the Chinese forms (see the module doc)."""
        display: dict[str, Counter[str]] = {kind: facets.value_counts(key) for kind, key in ATTRIBUTE_KEYS.items()}
        display["category"], display["brand"] = facets.level_counts(), facets.brand_counts()
        sizes_by_category = facets.values_by_level("size")
        known = {w for w in tokens_of("\n".join([*facets.titles, *descriptions])) if w.isalpha()}
        paths = [path for path, _ in facets.path_counts()]
        values = {kind: _display_forms(counter) for kind, counter in display.items()}
        vocab = cls(
            categories=sorted(values["category"]), category_paths=[list(p) for p in paths],
            brands=sorted(values["brand"]), colors=sorted(values["color"]), sizes=sorted(values["size"]),
            materials=sorted(values["material"]), known_words=sorted(w for w in known if len(w) >= 3),
            feature_words=_feature_words(facets),
        )
        size_of = {normalize(size): size for size in vocab.sizes}
        vocab.category_sizes = {category: sorted({size_of[normalize(s)] for s in sizes if normalize(s) in size_of})
                                for category, sizes in sizes_by_category.items() if sizes}
        vocab._add_catalog_forms()
        if builtin_synonyms:
            vocab._add_builtin_synonyms()
        vocab._add_name_parts_and_heads()
        if chinese:
            vocab.add_chinese()
        if synonyms:
            vocab.add_synonyms(synonyms)
        log.info("vocabulary.built categories=%d brands=%d colors=%d sizes=%d materials=%d forms=%d", len(vocab.categories),
                 len(vocab.brands), len(vocab.colors), len(vocab.sizes), len(vocab.materials), len(vocab.forms))
        return vocab

    def add(self, surface: str, kind: Kind, value: str, tier: int) -> bool:
        """Add one surface form; False when it adds nothing (already known with this meaning at a better tier)."""
        key = normalize(surface)
        if not key:
            return False
        entries = self.forms.setdefault(key, [])
        if any(e.kind == kind and e.value == value and e.tier <= tier for e in entries):
            return False
        entries[:] = [e for e in entries if not (e.kind == kind and e.value == value)]
        entries.append(SurfaceForm(kind=kind, value=value, tier=tier))
        entries.sort(key=lambda e: (e.tier, KIND_ORDER[e.kind]))
        return True

    def add_synonyms(self, synonyms: Mapping[str, str], tier: int = Tier.USER_SYNONYM) -> int:
        """Map each variant to what its canonical value means in this catalog; canonical values the catalog lacks are
        skipped. Returns how many variants were added."""
        added = 0
        for variant, canonical in synonyms.items():
            target = self.best(canonical, max_tier=Tier.BUILTIN_SYNONYM)
            if target is None:
                log.debug("vocabulary.synonym.unresolved variant=%r canonical=%r", variant, canonical)
                continue
            self.synonyms[normalize(variant)] = canonical
            added += self.add(variant, target.kind, target.value, tier)
        return added

    def add_chinese(self, forms: Iterable[tuple[str, str, str]] | None = None) -> int:
        """Add Chinese (kind, form, English canonical) forms, by default :func:`dialogue.lexicon_zh.chinese_forms`:
        first the English names of the catalog's Chinese values, then each form resolved through its English value.
        Returns how many forms were added."""
        table = list(forms if forms is not None else chinese_forms())
        english_of: dict[tuple[str, str], list[str]] = defaultdict(list)
        for kind, surface, english in table:
            english_of[(kind, normalize(surface))].append(english)
        added = 0
        heads: dict[str, set[str]] = defaultdict(set)  # English head noun → the Chinese categories it ends the name of
        for kind in ("category", "color", "size", "material"):
            for value in self.values(kind):  # type: ignore[arg-type]
                if not has_han(value) and (kind, normalize(value)) not in english_of:
                    continue
                for english in english_of.get((kind, normalize(value)), []):
                    names = [english, *inflections(normalize(english))] if kind == "category" else [english]
                    added += sum(self.add(name, kind, value, Tier.BUILTIN_SYNONYM) for name in names  # type: ignore[arg-type]
                                 if self.best(name, kind=kind, max_tier=Tier.BUILTIN_SYNONYM) is None)
                    words = normalize(english).split()
                    if kind == "category" and has_han(value) and len(words) >= 2 and words[-2] != "and":
                        heads[singular(words[-1])].add(value)  # "desk lamps", "floor lamps": "lamps" → 灯具
        added += self._add_heads({head: members for head, members in heads.items() if head not in GENERIC_HEADS})
        added += self._add_heads(self._chinese_heads())
        unsold = set(self.unsold)
        for kind, surface, english in table:
            if self.best(surface, kind=kind, max_tier=Tier.INFLECTED) is not None:
                continue  # the catalog's own value
            target = self.best(english, kind=kind, max_tier=Tier.HEAD_NOUN)
            if target is not None:
                added += self.add(surface, kind, target.value, max(Tier.BUILTIN_SYNONYM, target.tier))  # type: ignore[arg-type]
            elif has_han(surface):
                unsold.add(normalize(surface))
        self.unsold = sorted(unsold - set(self.forms))
        log.debug("vocabulary.chinese forms=%d added=%d unsold=%d", len(table), added, len(self.unsold))
        return added

    def _chinese_heads(self) -> dict[str, set[str]]:
        """The last word of each Chinese leaf category's name → the leaves it ends (水管 → 浇花水管)."""
        heads: dict[str, set[str]] = defaultdict(set)
        for leaf in {path[-1] for path in self.category_paths if has_han(path[-1])}:
            if (head := head_noun(leaf)) is not None:
                heads[head].add(leaf)
        return heads

    def add_taxonomy(self, path: Path | str = DEFAULT_TAXONOMY) -> int:
        """Map Shopify taxonomy category names to the nearest catalog category: the name itself or its nearest
        ancestor the catalog has (below its roots). Names reaching different catalog categories are skipped."""
        roots = {normalize(p[0]) for p in self.category_paths}
        english = english_words()
        mapped: dict[str, str | None] = {}
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if line.startswith("#") or " : " not in line:
                continue
            names = [n.strip() for n in line.split(" : ", 1)[1].split(">")]
            name = normalize(names[-1])
            if not name or len(name.split()) > 4 or self.best(name, max_tier=Tier.HEAD_NOUN) is not None:
                continue
            if " " not in name and name in english:  # "pin", "cape": too ambiguous as a lone word
                continue
            target = None
            for level, ancestor in enumerate(reversed(names)):
                hit = self.best(ancestor, max_tier=Tier.INFLECTED, kind="category")
                if hit is not None and (level == 0 or normalize(hit.value) not in roots):
                    target = hit.value
                    break
            if target is not None:
                mapped[name] = target if mapped.get(name, target) == target else None
        added = 0
        for name, target in mapped.items():
            if target is not None:
                added += sum(self.add(form, "category", target, Tier.TAXONOMY) for form in [name, *inflections(name)])
        log.info("vocabulary.taxonomy path=%s names=%d added=%d", path, len(mapped), added)
        return added

    # reading -------------------------------------------------------------------------------------------
    def lookup(self, phrase: str) -> list[SurfaceForm]:
        """Every meaning of ``phrase`` (any case/spacing), best first."""
        return self.forms.get(normalize(phrase), [])

    def best(self, phrase: str, *, max_tier: int = Tier.TAXONOMY, kind: str | None = None) -> SurfaceForm | None:
        for entry in self.lookup(phrase):
            if entry.tier <= max_tier and (kind is None or entry.kind == kind):
                return entry
        return None

    def canonical(self, kind: Kind, phrase: str) -> str | None:
        """The catalog value ``phrase`` names as a ``kind`` ("running shoe" → "Running Shoes"), if any."""
        entry = self.best(phrase, kind=kind)
        return entry.value if entry else None

    def values(self, kind: Kind) -> list[str]:
        return {"category": self.categories, "brand": self.brands, "color": self.colors, "size": self.sizes,
                "material": self.materials}[kind]

    def ancestors(self, category: str) -> set[str]:
        """Categories above ``category`` in any of its paths (display forms)."""
        if self._ancestors is None:
            table: dict[str, set[str]] = defaultdict(set)
            for path in self.category_paths:
                for depth, level in enumerate(path):
                    table[level].update(path[:depth])
            self._ancestors = dict(table)
        return self._ancestors.get(category, set())

    def save(self, path: Path | str) -> Path:
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(self.model_dump_json(), encoding="utf-8")
        return target

    @classmethod
    def load(cls, path: Path | str) -> CatalogVocabulary:
        return cls.model_validate_json(Path(path).read_text(encoding="utf-8"))

    # internals -----------------------------------------------------------------------------------------
    def _add_catalog_forms(self) -> None:
        for kind in KIND_ORDER:
            for value in self.values(kind):  # type: ignore[arg-type]
                self.add(value, kind, value, Tier.CATALOG)  # type: ignore[arg-type]
        for kind in KIND_ORDER:
            for value in self.values(kind):  # type: ignore[arg-type]
                for form in _derived_forms(kind, normalize(value)):
                    self.add(form, kind, value, Tier.INFLECTED)  # type: ignore[arg-type]

    def _add_builtin_synonyms(self) -> None:
        groups = [("category", CATEGORY_GROUPS), ("color", COLOR_GROUPS), ("material", MATERIAL_GROUPS), ("size", SIZE_GROUPS)]
        for kind, kind_groups in groups:
            for group in kind_groups:
                target = next((hit for member in group if (hit := self.best(member, max_tier=Tier.INFLECTED, kind=kind))), None)
                if target is None:
                    continue
                for member in group:
                    forms = [member, *inflections(member)] if kind == "category" else [member]
                    for form in forms:
                        if self.best(form, max_tier=Tier.INFLECTED, kind=kind) is None:
                            self.add(form, kind, target.value, Tier.BUILTIN_SYNONYM)  # type: ignore[arg-type]
        for color in (c for c in self.colors if not has_han(c)):
            for modifier in COLOR_MODIFIERS:
                if self.best(f"{modifier} {color}", max_tier=Tier.INFLECTED) is None:
                    self.add(f"{modifier} {color}", "color", color, Tier.BUILTIN_SYNONYM)

    def _add_name_parts_and_heads(self) -> None:
        """"Toys & Games" → "toys", "games"; a head noun shared by leaves ("desk lamps", "floor lamps") → their
        nearest common category ("Lighting"), or the one leaf that has it."""
        heads: dict[str, set[str]] = defaultdict(set)
        for category in self.categories:
            name = normalize(category)
            if " and " in f" {name} ":
                for part in (p.strip() for p in f" {name} ".split(" and ")):
                    if part and part not in {"co"}:
                        for form in [part, *inflections(part)]:
                            self.add(form, "category", category, Tier.NAME_PART)
            words = name.split()
            if len(words) >= 2 and words[-1].isalpha() and len(words[-1]) >= 3 and words[-2] != "and":
                heads[singular(words[-1])].add(category)
        self._add_heads({head: members for head, members in heads.items() if head not in GENERIC_HEADS})

    def _add_heads(self, heads: Mapping[str, set[str]]) -> int:
        """Each head noun → the one category it ends the name of, or their nearest common category below the roots."""
        roots = {p[0] for p in self.category_paths}
        added = 0
        for head, members in heads.items():
            target = next(iter(members)) if len(members) == 1 else self._common_ancestor(members)
            if target is not None and target not in roots:
                for form in [head, *inflections(head)]:
                    added += self.add(form, "category", target, Tier.HEAD_NOUN)
        return added

    def _common_ancestor(self, categories: set[str]) -> str | None:
        common: set[str] | None = None
        for category in categories:
            above = self.ancestors(category)
            common = above if common is None else common & above
        if not common:
            return None
        return max(common, key=lambda c: (len(self.ancestors(c)), c))


def _display_forms(counter: Counter[str]) -> list[str]:
    """One display form per case/spacing-insensitive value: the most common one (first seen on ties)."""
    best: dict[str, tuple[int, str]] = {}
    for value, count in counter.items():
        key = normalize(value)
        if key and (key not in best or count > best[key][0]):
            best[key] = (count, value)
    return [value for _, value in best.values()]


def _derived_forms(kind: str, name: str) -> list[str]:
    forms: list[str] = []
    if has_han(name):
        return forms  # Chinese has no plural: "跑步鞋" stays "跑步鞋"
    if kind == "category":
        forms += inflections(name)
    if "'" in name:
        forms += [name.replace("'s", "s"), name.replace("'s", ""), name.replace("'", "")]
    if kind == "brand":
        forms.append(f"{name}'s")
        for suffix in (" and co", " co", " inc", " ltd", " llc", " company"):
            if name.endswith(suffix) and len(name) > len(suffix) + 2:
                forms.append(name[: -len(suffix)])
    if kind == "size":
        words = name.split()
        if len(words) == 2 and any(ch.isdigit() for ch in words[0]) and "x" in words[0]:
            forms.append(words[0])  # "9x12 ft" → "9x12"
        units = {"inch": ["inches", "in"], "in": ["inch", "inches"], "quart": ["quarts", "qt"], "ft": ["feet", "foot"]}
        if len(words) == 2 and words[-1] in units:
            forms += [f"{words[0]} {unit}" for unit in units[words[-1]]]
    return [f for f in forms if f and f != name]
