"""Read catalog files (CSV/TSV, JSON, JSON Lines) into validated ``Product``s; bad rows are reported and skipped.

Without a mapping, records are in the native format (dicts of ``Product`` fields, as ``Product.model_dump()``
writes them). With a :class:`~retrieval.mapping.CatalogMapping`, each record is mapped first.
"""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from core.errors import UserError
from retrieval.catalog_mapper import (
    RecordMapper,
    RowProblem,
    aggregate_reviews,
    child_index,
    find_reviews,
    missing_columns,
    variant_skus,
)
from retrieval.mapping import CatalogMapping
from retrieval.models import Product
from retrieval.transforms import get_path

log = logging.getLogger(__name__)

FORMATS: dict[str, str] = {
    ".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".jsonlines": "jsonl",
}
CSV_FIELD_LIMIT = 16 * 1024 * 1024


class RawRecord(BaseModel):
    """One record as read from a file: where it starts and its data, or why it could not be read."""

    location: str = Field(description='"products.csv:17", "products.json[12]" or "x.jsonl:5".')
    data: dict[str, Any] = Field(default_factory=dict)
    error: str | None = None


class RowError(BaseModel):
    """A row that was skipped (``error``) or loaded with a caveat (``warning``)."""

    location: str
    reason: str
    severity: Literal["error", "warning"] = "error"


class CatalogLoad(BaseModel):
    """The products read from some files, and what went wrong on the way."""

    products: list[Product] = Field(default_factory=list)
    errors: list[RowError] = Field(default_factory=list, description="Skipped rows, then warnings.")
    sources: list[str] = Field(default_factory=list)
    skipped: int = Field(default=0, description="Rows left out on purpose: filtered, or joined into a parent as variants.")

    @property
    def invalid_rows(self) -> int:
        return sum(1 for e in self.errors if e.severity == "error")

    @property
    def warnings(self) -> list[RowError]:
        return [e for e in self.errors if e.severity == "warning"]

    def raise_if_empty(self) -> None:
        """Raise a UserError explaining why nothing loaded; do nothing when at least one product is valid."""
        if self.products:
            return
        names = ", ".join(Path(s).name for s in self.sources) or "no files"
        problems = [e for e in self.errors if e.severity == "error"]
        if problems:
            shown = "\n  ".join(f"{e.location}: {e.reason}" for e in problems[:5])
            more = f"\n  ... and {len(problems) - 5} more" if len(problems) > 5 else ""
            raise UserError(
                f"No valid product in {names}: all {len(problems)} rows failed.\n  {shown}{more}\n"
                "Fix these rows, or if the file is not in ShopAssist's native format, pass --mapping with a YAML "
                "field mapping (examples in data/mappings/)."
            )
        if self.skipped:
            raise UserError(f"No product in {names}: the mapping's filters (or variant joins) left out all {self.skipped} rows.")
        raise UserError(f"No product rows in {names}: the files are empty.")


def _format_of(path: Path, fmt: str | None) -> str:
    if fmt:
        return fmt
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        supported = ", ".join(FORMATS)
        raise UserError(f"Cannot read {path.name}: unsupported extension {path.suffix!r} (supported: {supported}).") from None


def read_records(
    path: Path, *, format: str | None = None, delimiter: str | None = None, records_key: str | None = None
) -> Iterator[RawRecord]:
    """Yield the records of a CSV/TSV, JSON or JSON Lines file in order. Unreadable rows come back with ``error``
    set; a file that cannot be read at all raises UserError."""
    path = Path(path)
    fmt = _format_of(path, format)
    if not path.is_file():
        raise UserError(f"Catalog file {path} not found.")
    try:
        if fmt in ("csv", "tsv"):
            yield from _read_csv(path, delimiter or ("\t" if fmt == "tsv" else ","))
        elif fmt == "json":
            yield from _read_json(path, records_key)
        else:
            yield from _read_jsonl(path)
    except UnicodeDecodeError as exc:
        raise UserError(f"{path.name} is not UTF-8 text (bad byte at offset {exc.start}); re-save it as UTF-8.") from exc


def _read_csv(path: Path, delimiter: str) -> Iterator[RawRecord]:
    csv.field_size_limit(max(csv.field_size_limit(), CSV_FIELD_LIMIT))
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        header: list[str] = []
        while not header:
            row = next(reader, None)
            if row is None:
                return
            header = [h.strip() for h in row] if any(h.strip() for h in row) else []
        end = reader.line_num
        while True:
            try:
                row = next(reader, None)
            except csv.Error as exc:
                yield RawRecord(location=f"{path.name}:{end + 1}", error=f"CSV error: {exc}; the rest of the file is skipped")
                return
            if row is None:
                return
            start, end = end + 1, reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            location = f"{path.name}:{start}"
            if len(row) > len(header):
                reason = f"{len(row)} fields but the header has {len(header)} (stray delimiter or quote?)"
                yield RawRecord(location=location, error=reason)
                continue
            yield RawRecord(location=location, data=dict(zip(header, row, strict=False)))


def _records_in(document: Any, records_key: str | None, name: str) -> list[Any]:
    if isinstance(document, list):
        return list(document)
    if not isinstance(document, dict):
        raise UserError(f"{name} must hold a JSON array of products, or an object with one.")
    if records_key:
        found = get_path(document, records_key)
        if not isinstance(found, list):
            raise UserError(f"{name}: records_key {records_key!r} does not name a list (keys: {', '.join(list(document)[:10])}).")
        return list(found)
    lists = [key for key, value in document.items() if isinstance(value, list)]
    if len(lists) == 1:
        return list(document[lists[0]])
    if not lists:
        raise UserError(f"{name} holds no list of products; expected an array or an object such as {{\"products\": [...]}}.")
    raise UserError(f"{name} holds several lists ({', '.join(lists)}); set records_key in a mapping to pick one.")


def _read_json(path: Path, records_key: str | None) -> Iterator[RawRecord]:
    try:
        document = json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as exc:
        hint = " (one object per line? name the file .jsonl)" if exc.msg == "Extra data" else ""
        raise UserError(f"{path.name} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}{hint}.") from exc
    for index, item in enumerate(_records_in(document, records_key, path.name)):
        location = f"{path.name}[{index}]"
        if isinstance(item, dict):
            yield RawRecord(location=location, data=item)
        else:
            yield RawRecord(location=location, error=f"expected an object, got {type(item).__name__}")


def _read_jsonl(path: Path) -> Iterator[RawRecord]:
    with path.open(encoding="utf-8-sig") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            location = f"{path.name}:{number}"
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                yield RawRecord(location=location, error=f"not valid JSON: {exc.msg} (column {exc.colno})")
                continue
            if isinstance(item, dict):
                yield RawRecord(location=location, data=item)
            else:
                yield RawRecord(location=location, error=f"expected a JSON object, got {type(item).__name__}")


def validation_reason(exc: ValidationError, limit: int = 3) -> str:
    """``"price: Input should be greater than or equal to 0; title: Field required"``."""
    errors = exc.errors()
    unknown = [str(e["loc"][-1]) for e in errors if e["type"] == "extra_forbidden" and len(e["loc"]) == 1]
    parts: list[str] = []
    if unknown:
        names = ", ".join(unknown[:5]) + (", ..." if len(unknown) > 5 else "")
        parts.append(f"unknown fields {names} (not the native format? use a mapping)")
    others = [e for e in errors if not (e["type"] == "extra_forbidden" and len(e["loc"]) == 1)]
    for err in others[:limit]:
        loc = ".".join(str(p) for p in err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        parts.append(f"{loc}: {msg}" if loc else msg)
    more = len(others) - limit
    return "; ".join(parts) + (f" (+{more} more)" if more > 0 else "")


class _Collector:
    """Accumulates products by id (the last duplicate wins, with a warning) and the errors."""

    def __init__(self, sources: list[Path]) -> None:
        self.by_id: dict[str, tuple[Product, str]] = {}
        self.load = CatalogLoad(sources=[str(s) for s in sources])
        self.warnings: list[RowError] = []

    def error(self, location: str, reason: str) -> None:
        self.load.errors.append(RowError(location=location, reason=reason))

    def warn(self, location: str, reason: str) -> None:
        self.warnings.append(RowError(location=location, reason=reason, severity="warning"))

    def add(self, location: str, data: dict[str, Any]) -> None:
        try:
            product = Product.model_validate(data)
        except ValidationError as exc:
            self.error(location, validation_reason(exc))
            return
        previous = self.by_id.get(product.id)
        if previous is not None:
            self.warn(location, f"duplicate id {product.id!r} (also at {previous[1]}); this later row wins")
        self.by_id[product.id] = (product, location)

    def result(self) -> CatalogLoad:
        self.load.products = [product for product, _ in self.by_id.values()]
        self.load.errors.extend(self.warnings)
        log.info("catalog.loaded products=%d invalid=%d warnings=%d skipped=%d", len(self.load.products),
                 self.load.invalid_rows, len(self.warnings), self.load.skipped)
        return self.load


def load_catalog(paths: list[Path], mapping: CatalogMapping | None = None) -> CatalogLoad:
    """Read every file in ``paths`` (in order) into products. Never raises for bad rows; call
    ``raise_if_empty()`` on the result to fail when nothing is valid."""
    paths = [Path(p) for p in paths]
    collector = _Collector(paths)
    if mapping is None:
        for path in paths:
            for record in read_records(path):
                if record.error:
                    collector.error(record.location, record.error)
                else:  # an empty cell (CSV) means "not given", so the model default applies
                    collector.add(record.location, {k: v for k, v in record.data.items() if v != ""})
        return collector.result()
    _load_mapped(paths, mapping, collector)
    return collector.result()


def _load_mapped(paths: list[Path], mapping: CatalogMapping, collector: _Collector) -> None:
    options = {"format": mapping.format, "delimiter": mapping.delimiter, "records_key": mapping.records_key}
    records = [r for path in paths for r in read_records(path, **options)]  # joins need every row at hand
    rows = [r.data for r in records if not r.error]
    consumed = variant_skus(mapping, rows)
    reviews = None
    if mapping.reviews is not None:
        review_path = find_reviews(mapping.reviews, paths, mapping.base_dir, collector.warn)
        if review_path is not None:
            reviews = aggregate_reviews(mapping.reviews, [r.data for r in read_records(review_path) if not r.error])
    mapper = RecordMapper(mapping, child_index(mapping, rows, consumed), reviews)
    join_on = mapping.variants.join_on if mapping.variants else None
    for record in records:
        if record.error:
            collector.error(record.location, record.error)
            continue
        data = record.data
        is_child = bool(join_on) and str(get_path(data, join_on or "") or "").strip() in consumed
        if not mapping.keep(data) or (is_child and not (mapping.variants and mapping.variants.records(data))):
            collector.load.skipped += 1
            continue
        try:
            product, warnings = mapper.product_dict(data)
        except RowProblem as exc:
            collector.error(record.location, str(exc))
            continue
        for warning in warnings:
            collector.warn(record.location, warning)
        collector.add(record.location, product)
    for file_name, reason in missing_columns([p.name for p in paths], [(r.location, r.data) for r in records], mapping):
        collector.warn(file_name, reason)

