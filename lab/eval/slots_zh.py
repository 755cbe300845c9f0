"""Slot F1 of the slot extractor on annotated NLU examples (written for the Chinese data, data/nlu_zh; any Rasa NLU
data whose entity values are in the English canonical form works).

An example's gold slots are its entities, each turned into the (slot, value) pairs the extractor gives for the same
meaning, so a value is right only when it is the value the English slot extractor would give:

* category, brand, color, material, size: the catalog value the annotated value names in the vocabulary
  (``vocabulary.canonical``: "running shoes" → "Running Shoes" on the English catalog, → 跑步鞋 on the Chinese one),
  else the value itself; an entity with ``role: exclude`` is the value with "not " before it (a ``*_out`` slot).
  Values compare case-insensitively.
* price and rating: the English rules' reading of the value ("under 500" → ``-500``, "around 200" → ``170-230``,
  "4 stars and up" → ``4``); a bare number ("199") is a budget (``-199``).
* ordinal and reference: the references the English extractor finds in the value ("second" is read as "the second
  one"): ordinals and "last" score as ``ordinal``, the others (focus, all, both, cheapest ...) as ``reference``; a
  value the English extractor finds nothing in ("the one on the left") is not scored (counted in ``unscored``).
* quantity: the number; order_id: the extractor's form (``ORD-`` and the digits of "#48214" / "3708955616").

Predicted pairs come from :class:`dialogue.slots.Slots` the same way; an ``attribute`` reference ("红色那个", "the red
one") scores as the attribute it names (color red), since the annotation marks the colour. ``price_hint`` and
``brands_out_focus`` have no annotation and are not scored. Micro precision / recall / F1 over all pairs, and per slot.

Two things bound the figure whatever the extractor does, and the report says how much: gold values the catalog does
not sell (围巾 "scarves" on the English demo catalog: no extractor may name a value the catalog lacks) and the
annotation's coverage (the data marks 这个/这些 or a category in some examples and not in others of the same kind, so
a right extraction can count as a false positive). ``sold_only=True`` scores without the first (gold category, brand,
colour and material values the vocabulary cannot resolve are dropped); the default, strict figure keeps them.

Run: ``python -m lab.eval.slots_zh --part dev`` (the English demo catalog; ``--catalog`` for another, ``--errors`` to
list the examples scored wrong). Develop against train and dev only: the test part is for the final figure.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, Field

from dialogue.lexicon import NUMBER_WORDS
from dialogue.nlu_data import NluEntity, NluExample
from dialogue.slots import SlotExtractor, Slots
from dialogue.vocabulary import CatalogVocabulary

Pair = tuple[str, str]
SLOT_TYPES = ("category", "brand", "color", "material", "size", "price", "rating", "quantity", "ordinal", "reference", "order_id")
_ATTRIBUTE_SLOTS = {"color", "material", "size", "brand"}


class SlotScore(BaseModel):
    precision: float
    recall: float
    f1: float
    support: int = Field(description="Gold pairs.")
    predicted: int


class SlotEvalReport(BaseModel):
    examples: int
    overall: SlotScore
    per_slot: dict[str, SlotScore]
    unscored: int = Field(description="Gold entities the English rules read nothing in (not scored).")
    unsold: int = Field(default=0, description="Gold values the catalog does not sell (scored unless sold_only).")
    errors: list[dict[str, object]] = Field(default_factory=list, description="Examples with a wrong or missing pair.")


def _norm(value: str) -> str:
    return " ".join(value.strip().lower().split())


def _price_pair(slots: Slots) -> Pair | None:
    if slots.price_min is None and slots.price_max is None:
        return None
    low = "" if slots.price_min is None else f"{slots.price_min:g}"
    high = "" if slots.price_max is None else f"{slots.price_max:g}"
    return ("price", f"{low}-{high}")


def _reference_pairs(slots: Slots) -> set[Pair]:
    pairs: set[Pair] = set()
    for ref in slots.references:
        if ref.kind == "ordinal":
            pairs.add(("ordinal", f"ordinal:{ref.index}"))
        elif ref.kind == "last":
            pairs.add(("ordinal", "last"))
        elif ref.kind == "attribute" and ref.key in _ATTRIBUTE_SLOTS and ref.value:
            pairs.add((ref.key, _norm(ref.value)))
        elif ref.kind != "attribute":
            pairs.add(("reference", ref.kind))
    return pairs


def slot_pairs(slots: Slots) -> set[Pair]:
    """The scored (slot, value) pairs of extracted slots."""
    pairs: set[Pair] = set()
    if slots.category:
        pairs.add(("category", _norm(slots.category)))
    for name, wanted, banned in (("brand", slots.brands, slots.brands_out), ("color", slots.colors, slots.colors_out),
                                 ("material", slots.materials, slots.materials_out), ("size", slots.sizes, [])):
        pairs |= {(name, _norm(v)) for v in wanted} | {(name, f"not {_norm(v)}") for v in banned}
    price = _price_pair(slots)
    if price:
        pairs.add(price)
    if slots.rating_min is not None:
        pairs.add(("rating", f"{slots.rating_min:g}"))
    if slots.quantity is not None:
        pairs.add(("quantity", str(slots.quantity)))
    if slots.order_id:
        pairs.add(("order_id", slots.order_id.upper()))
    return pairs | _reference_pairs(slots)


class GoldReader:
    """Turns annotated entities into scored pairs, reading English values with an English extractor."""

    def __init__(self, vocabulary: CatalogVocabulary, english: SlotExtractor) -> None:
        self.vocabulary = vocabulary
        self.english = english

    def sold(self, entity: NluEntity) -> bool:
        """Whether the catalog has the value of a category, brand, colour or material entity (others: always)."""
        if entity.entity not in ("category", "brand", "color", "material"):
            return True
        return self.vocabulary.canonical(entity.entity, entity.value.strip()) is not None  # type: ignore[arg-type]

    def pairs(self, entity: NluEntity) -> set[Pair] | None:
        """The pairs of one entity; ``None`` when the English rules read nothing in its value."""
        name, value = entity.entity, entity.value.strip()
        if name in ("category", "brand", "color", "material", "size"):
            canonical = self.vocabulary.canonical(name, value) or value  # type: ignore[arg-type]
            return {(name, f"not {_norm(canonical)}" if entity.role == "exclude" else _norm(canonical))}
        if name == "quantity":
            number = int(float(value)) if re.fullmatch(r"\d+(?:\.0+)?", value) else NUMBER_WORDS.get(value.lower())
            return {("quantity", str(number))} if number else None
        if name == "order_id":
            digits = re.fullmatch(r"(?:ord-?|#)?\s*(\d+)", value.lower())
            return {("order_id", f"{self.english.options.order_prefix}-{digits.group(1)}" if digits else value.upper())}
        if name == "ordinal":
            value = "the last one" if value == "last" else f"the {value} one"
        slots = self.english.extract(value)
        if name == "price":
            price = _price_pair(slots)
            if price is None and re.fullmatch(r"\d+(?:\.\d+)?", value):
                price = ("price", f"-{float(value):g}")
            return {price} if price else None
        if name == "rating":
            return {("rating", f"{slots.rating_min:g}")} if slots.rating_min is not None else None
        if name in ("ordinal", "reference"):
            return _reference_pairs(slots) or None
        return None


def _scores(tp: int, fp: int, fn: int) -> SlotScore:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return SlotScore(precision=round(precision, 4), recall=round(recall, 4), f1=round(f1, 4), support=tp + fn, predicted=tp + fp)


def evaluate_slots(examples: Sequence[NluExample], extractor: SlotExtractor, english: SlotExtractor | None = None,
                   max_errors: int = 200, sold_only: bool = False) -> SlotEvalReport:
    """Micro slot F1 of ``extractor`` on ``examples`` (see the module doc). ``english`` reads the gold values (by
    default an extractor on the same vocabulary); ``sold_only`` drops gold values the catalog does not sell."""
    reader = GoldReader(extractor.vocabulary, english or SlotExtractor(extractor.vocabulary))
    counts: dict[str, Counter[str]] = {slot: Counter() for slot in SLOT_TYPES}
    unscored = unsold = 0
    errors: list[dict[str, object]] = []
    for example in examples:
        gold: set[Pair] = set()
        for entity in example.entities:
            if not reader.sold(entity):
                unsold += 1
                if sold_only:
                    continue
            pairs = reader.pairs(entity)
            if pairs is None:
                unscored += 1
            else:
                gold |= pairs
        predicted = slot_pairs(extractor.extract(example.text))
        for slot, _ in predicted & gold:
            counts[slot]["tp"] += 1
        for slot, _ in predicted - gold:
            counts.setdefault(slot, Counter())["fp"] += 1
        for slot, _ in gold - predicted:
            counts.setdefault(slot, Counter())["fn"] += 1
        if predicted != gold and len(errors) < max_errors:
            errors.append({"text": example.text, "source": example.source, "missing": sorted(gold - predicted),
                           "extra": sorted(predicted - gold)})
    total = Counter[str]()
    for counter in counts.values():
        total.update(counter)
    per_slot = {slot: _scores(c["tp"], c["fp"], c["fn"]) for slot, c in counts.items() if sum(c.values())}
    return SlotEvalReport(examples=len(examples), overall=_scores(total["tp"], total["fp"], total["fn"]), per_slot=per_slot,
                          unscored=unscored, unsold=unsold, errors=errors)


def main(argv: Sequence[str] | None = None) -> None:
    """Print the slot F1 of one part of an NLU data split (see the module doc)."""
    import argparse

    from core.settings import DATA_DIR
    from dialogue.nlu_data import load_nlu, three_way_split
    from retrieval.catalog_io import load_catalog

    parser = argparse.ArgumentParser(prog="python -m lab.eval.slots_zh", description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA_DIR / "nlu_zh", help="annotated NLU data (default: data/nlu_zh)")
    parser.add_argument("--catalog", type=Path, default=DATA_DIR / "catalog" / "demo.jsonl")
    parser.add_argument("--synonyms", type=Path, default=DATA_DIR / "nlu", help="NLU data whose synonyms the vocabulary takes")
    parser.add_argument("--part", choices=("train", "dev", "test"), default="dev")
    parser.add_argument("--sold-only", action="store_true", help="drop gold values the catalog does not sell")
    parser.add_argument("--errors", action="store_true", help="list the examples scored wrong")
    args = parser.parse_args(argv)
    splits = three_way_split(load_nlu(args.data), dev_fraction=0.1, test_fraction=0.15, seed=13)
    vocabulary = CatalogVocabulary.from_products(load_catalog([args.catalog]).products, load_nlu(args.synonyms).synonyms)
    report = evaluate_slots(getattr(splits, args.part).examples, SlotExtractor(vocabulary), sold_only=args.sold_only)
    print(f"{args.part}: {report.examples} examples, unscored {report.unscored}, unsold {report.unsold}")
    print(f"  overall   P={report.overall.precision:.4f} R={report.overall.recall:.4f} F1={report.overall.f1:.4f} "
          f"(gold {report.overall.support}, predicted {report.overall.predicted})")
    for slot, score in report.per_slot.items():
        print(f"  {slot:<10}P={score.precision:.4f} R={score.recall:.4f} F1={score.f1:.4f} (gold {score.support}, "
              f"predicted {score.predicted})")
    for error in report.errors if args.errors else []:
        print(f"  {error['text']}  missing={error['missing']} extra={error['extra']}")


if __name__ == "__main__":
    main()

