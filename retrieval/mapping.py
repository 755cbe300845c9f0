"""Catalog field mappings: how the rows of a foreign catalog become ``Product`` fields (loaded from YAML).

A mapping file has these top-level keys (every model forbids unknown keys, so a typo fails with its name)::

    format: csv                       # csv | tsv | json | jsonl (default: from the extension); delimiter: CSV only
    records_key: data.products        # JSON only: dotted path to the list of records
    id_prefix: "luma-"                # prepended to every product id (and variant sku)
    filters:                          # a row is kept only when it passes every filter
      - {source: product_type, in: [configurable, simple]}
      - {source: visibility, not_in: ["Not Visible Individually"]}
    fields:                           # one FieldSpec per Product field; id, title, category, price are required
      id: sku                         # a bare string is a source column / dotted path
      title: {source: [name, title]}  # a list: the first non-empty one
      brand: {source: brand, default: Luma}
      currency: {const: USD}
      price: {source: price, transforms: [number]}
      category: {source: categories, transforms: [{category_path: {path_sep: "/", list_sep: ",", pick: deepest}}]}
    attributes:                       # attribute name -> FieldSpec (lists allowed), or a list of column names
      material: {source: material, transforms: [{split: "\\n"}]}
    packed_attributes:                # "k=v,k=v" columns, values split on value_sep
      - {source: additional_attributes, include: [material, pattern]}
    variants: {source: configurable_variations, join_on: sku, attributes: [size, color]}     # see VariantSpec
    reviews: {path: products_reviews.csv, key: sku, rating_column: rating_value}            # see ReviewsSpec

A FieldSpec is ``{source | const, default, transforms}``; transforms are names from ``retrieval.transforms``:
``strip_html``, ``{split: "|"}``, ``{map: {values: {...}, fallback: title_case}}`` (a dict argument gives
keyword arguments, any other value one positional argument). See data/mappings/*.yml for full examples.
"""

from __future__ import annotations

import difflib
import inspect
from pathlib import Path
from typing import Annotated, Any, Literal, get_type_hints

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, TypeAdapter, ValidationError, model_validator

from core.errors import UserError
from retrieval.transforms import REGISTRY, get_path, is_missing, parse_packed


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class TransformCall(_Strict):
    """One named transform with its arguments; written ``name``, ``{name: arg}`` or ``{name: {kw: arg}}``."""

    name: str
    kwargs: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = {"name": value}
        elif isinstance(value, dict) and len(value) == 1 and "name" not in value:
            (name, arg), = value.items()
            value = {"name": name, "kwargs": arg} if isinstance(arg, dict) else {"name": name, "args": [arg]}
        if not isinstance(value, dict) or "name" not in value:
            raise ValueError("a transform is a name or a one-key mapping {name: argument}")
        name = value["name"]
        if name not in REGISTRY:
            hint = difflib.get_close_matches(str(name), REGISTRY, n=1)
            did_you_mean = f" (did you mean {hint[0]!r}?)" if hint else ""
            raise ValueError(f"unknown transform {name!r}{did_you_mean}; known: {', '.join(sorted(REGISTRY))}")
        fn = REGISTRY[name].fn
        try:
            bound = inspect.signature(fn).bind(None, *value.get("args", []), **value.get("kwargs", {}))
        except TypeError as exc:
            raise ValueError(f"transform {name!r}: {exc}") from None
        hints = get_type_hints(fn)
        kwargs = {}
        for arg, given in list(bound.arguments.items())[1:]:
            try:
                kwargs[arg] = TypeAdapter(hints[arg]).validate_python(given) if arg in hints else given
            except ValidationError as exc:
                raise ValueError(f"transform {name!r}, argument {arg!r}: {exc.errors()[0]['msg']}") from None
        return {"name": name, "kwargs": kwargs}

    def apply(self, value: Any) -> Any:
        try:
            return REGISTRY[self.name](value, **self.kwargs)
        except (TypeError, AttributeError, KeyError) as exc:  # data of an unexpected shape
            raise ValueError(f"{self.name}: cannot apply to {str(value)[:40]!r} ({exc})") from None


class FieldSpec(_Strict):
    """Where a value comes from: ``source`` (column or dotted path; a list means the first non-empty) or ``const``,
    then ``transforms`` in order, then ``default`` when the result is empty. Text results are stripped."""

    source: str | list[str] | None = None
    const: Any = None
    default: Any = None
    transforms: list[TransformCall] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        return {"source": value} if isinstance(value, (str, list)) else value

    @model_validator(mode="after")
    def _has_origin(self) -> FieldSpec:
        if self.source is None and self.const is None and self.default is None:
            raise ValueError("give a source, a const or a default")
        return self

    @property
    def sources(self) -> list[str]:
        return [self.source] if isinstance(self.source, str) else list(self.source or [])

    def extract(self, record: dict[str, Any]) -> Any:
        """The value for ``record``; raises ValueError (from a transform) when the data cannot be read."""
        value = self.const
        if value is None:
            value = next((v for v in (get_path(record, s) for s in self.sources) if not is_missing(v)), None)
        for call in self.transforms:
            value = call.apply(value)
        if is_missing(value):
            value = self.default
        return value.strip() if isinstance(value, str) else value


class FieldsMapping(_Strict):
    """One FieldSpec per ``Product`` field (``attributes`` and ``variants`` have their own sections)."""

    id: FieldSpec
    title: FieldSpec
    category: FieldSpec
    price: FieldSpec
    brand: FieldSpec | None = None
    currency: FieldSpec | None = None
    rating: FieldSpec | None = None
    review_count: FieldSpec | None = None
    stock: FieldSpec | None = None
    description: FieldSpec | None = None
    image_url: FieldSpec | None = None
    reviews: FieldSpec | None = None  # a list of review objects; the ``reviews`` transform names their keys


class FilterSpec(_Strict):
    """Keep a row only when ``source``'s value is in ``in``, not in ``not_in``, and (``required``) not empty.
    Values compare as stripped, case-insensitive text. Rows dropped by filters are counted, not reported."""

    source: str
    in_: list[str] | None = Field(default=None, alias="in")
    not_in: list[str] = Field(default_factory=list)
    required: bool = False

    def keep(self, record: dict[str, Any]) -> bool:
        value = get_path(record, self.source)
        text = "" if value is None else str(value).strip().lower()
        if self.required and not text:
            return False
        if self.in_ is not None and text not in {v.strip().lower() for v in self.in_}:
            return False
        return text not in {v.strip().lower() for v in self.not_in}


class PackedAttributes(_Strict):
    """Attributes packed in one column as ``k=v,k=v`` (Magento ``additional_attributes``). Each value is split on
    ``value_sep`` (null: not split) and run through ``transforms``; ``include``/``exclude`` pick keys (after
    ``rename``)."""

    source: str
    pair_sep: str = ","
    kv_sep: str = "="
    value_sep: str | None = "|"
    include: list[str] | None = None
    exclude: list[str] = Field(default_factory=list)
    rename: dict[str, str] = Field(default_factory=dict)
    transforms: list[TransformCall] = Field(default_factory=list)


def _attributes_from_list(value: Any) -> Any:
    return {name: {"source": name} for name in value} if isinstance(value, list) else value


#: ``{name: FieldSpec}``; a plain list of column names means ``{name: {source: name}}``.
AttributeSpecs = Annotated[dict[str, "FieldSpec"], BeforeValidator(_attributes_from_list)]


class VariantSpec(_Strict):
    """Variants of a product. ``source`` holds either a list of objects (JSON) or packed text such as Magento's
    ``"sku=MH01-XS-Black,size=XS,color=Black|sku=..."`` (split on ``record_sep``, then like packed attributes).

    With ``join_on``, each variant is merged with the row whose ``join_on`` column equals the variant's sku (a
    child row, e.g. Magento's simple products); child rows joined this way are never emitted as products. The
    ``sku``/``price``/``stock``/``in_stock``/``attributes`` specs read the merged record; ``in_stock`` false forces
    stock 0. A product without its own price gets its cheapest variant's price."""

    source: str
    record_sep: str = "|"
    pair_sep: str = ","
    kv_sep: str = "="
    join_on: str | None = None
    sku: FieldSpec = Field(default_factory=lambda: FieldSpec(source="sku"))
    price: FieldSpec | None = None
    stock: FieldSpec | None = None
    in_stock: FieldSpec | None = None
    attributes: AttributeSpecs = Field(default_factory=dict)

    def records(self, record: dict[str, Any]) -> list[dict[str, Any]]:
        """The raw variant records of ``record`` (before any join)."""
        raw = get_path(record, self.source)
        if is_missing(raw):
            return []
        if isinstance(raw, list):
            return [r for r in raw if isinstance(r, dict)]
        parts = [p for p in str(raw).split(self.record_sep) if p.strip()]
        return [parse_packed(p, self.pair_sep, self.kv_sep) for p in parts]


class ReviewsSpec(_Strict):
    """Ratings from a separate reviews table (CSV/JSON/JSONL): rows whose ``key`` column equals the catalog row's
    ``match`` value (default: the id source) are averaged into ``rating`` and counted into ``review_count``.
    A relative ``path`` is looked up beside the catalog file, then beside the mapping file; when it is absent
    loading fails, unless ``required: false`` (then a warning). Values the row already sets win unless ``overwrite``."""

    path: Path
    key: str
    rating_column: str
    text_column: str | None = None  # review texts (kept, quoted by product questions) when the table has them
    title_column: str | None = None
    author_column: str | None = None
    match: str | None = None
    overwrite: bool = False
    required: bool = True


class CatalogMapping(_Strict):
    """A whole mapping file; see the module docstring for the layout."""

    name: str | None = None
    description: str | None = None
    format: Literal["csv", "tsv", "json", "jsonl"] | None = None
    delimiter: str | None = Field(default=None, min_length=1, max_length=1)
    records_key: str | None = None
    id_prefix: str = ""
    filters: list[FilterSpec] = Field(default_factory=list)
    fields: FieldsMapping
    attributes: AttributeSpecs = Field(default_factory=dict)
    packed_attributes: list[PackedAttributes] = Field(default_factory=list)
    variants: VariantSpec | None = None
    reviews: ReviewsSpec | None = None

    _base_dir: Path | None = PrivateAttr(default=None)

    @property
    def base_dir(self) -> Path | None:
        """Folder of the mapping file (for relative paths), when loaded from a file."""
        return self._base_dir

    def keep(self, record: dict[str, Any]) -> bool:
        return all(f.keep(record) for f in self.filters)


def _known_keys() -> set[str]:
    models = (CatalogMapping, FieldsMapping, FieldSpec, FilterSpec, PackedAttributes, VariantSpec, ReviewsSpec)
    return {f.alias or name for m in models for name, f in m.model_fields.items()}


def format_validation_error(exc: ValidationError, limit: int = 8) -> list[str]:
    """Readable ``where: what`` lines; unknown keys get a did-you-mean hint."""
    lines: list[str] = []
    for err in exc.errors()[:limit]:
        loc = ".".join(str(p) for p in err["loc"])
        if err["type"] == "extra_forbidden":
            hint = difflib.get_close_matches(str(err["loc"][-1]), _known_keys(), n=1)
            lines.append(f"{loc}: unknown key" + (f" (did you mean {hint[0]!r}?)" if hint else ""))
        else:
            msg = err["msg"].removeprefix("Value error, ")
            lines.append(f"{loc}: {msg}" if loc else msg)
    return lines


def load_mapping(path: Path) -> CatalogMapping:
    """Read and validate a YAML mapping file; any problem is a UserError naming the file and key."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UserError(f"Cannot read mapping file {path}: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        raise UserError(f"Mapping file {path} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise UserError(f"Mapping file {path} must be a YAML mapping with at least a 'fields' section.")
    try:
        mapping = CatalogMapping.model_validate(data)
    except ValidationError as exc:
        problems = "\n  ".join(format_validation_error(exc))
        raise UserError(f"Invalid mapping file {path}:\n  {problems}") from exc
    mapping._base_dir = path.resolve().parent
    return mapping
