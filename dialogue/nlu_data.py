"""Rasa NLU YAML training data: annotated examples, synonyms, lookup tables and regexes.

Reads any Rasa 3 NLU file (``version``/``nlu`` keys; other top-level keys such as ``responses`` or
``stories`` are ignored). Every example remembers ``file:line`` so a bad one can be found at once.
Inline annotations understood by :func:`parse_example`::

    [blue](color)                                   value "blue"
    [navy](color:blue)                              value "blue" (the Rasa 2 form)
    [navy]{"entity": "color", "value": "blue"}      JSON form; "role" and "group" are kept too
    [NYC][{"entity": "city"}, {"entity": "place"}]  several entities on one span
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

logger = logging.getLogger(__name__)

NLU_SUFFIXES = (".yml", ".yaml")
_ANNOTATION = re.compile(
    r"\[(?P<text>[^\]]+?)\]"
    r"(?:\((?P<entity>[^:)]+?)(?::(?P<value>[^)]+))?\)"
    r"|\{(?P<dict>[^}]+?)\}"
    r"|\[(?P<list>\{.*?\})\])"
)
_LEFTOVER = re.compile(r"\]\s*[({]|\[[^\]]*[({][^\]]*$")


class NluFormatError(ValueError):
    """Malformed NLU data; the message names the file and line when they are known."""

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None) -> None:
        self.reason = message
        self.path = str(path) if path is not None else None
        self.line = line
        where = f"{self.path}:{line}: " if self.path and line else f"{self.path}: " if self.path else ""
        super().__init__(f"{where}{message}")

    def at(self, path: Path | str, line: int | None) -> NluFormatError:
        return NluFormatError(self.reason, path, line)


class NluEntity(BaseModel):
    """An annotated span of an example's plain text: ``text == example.text[start:end]``."""

    model_config = ConfigDict(frozen=True)

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    value: str
    entity: str = Field(min_length=1)
    text: str
    role: str | None = None
    group: str | None = None


class NluExample(BaseModel):
    model_config = ConfigDict(frozen=True)

    text: str = Field(min_length=1)
    intent: str = Field(min_length=1)
    entities: list[NluEntity] = Field(default_factory=list)
    source: str = Field(default="", description="file:line the example came from.")
    context: str | None = Field(default=None, description="The previous action it was said after, for examples taken "
                                "from real dialogues; training then shows it with that action, not a sampled one.")


class NluDataset(BaseModel):
    examples: list[NluExample] = Field(default_factory=list)
    synonyms: dict[str, str] = Field(default_factory=dict, description="Variant → canonical value, lower-case.")
    lookups: dict[str, list[str]] = Field(default_factory=dict)
    regexes: dict[str, list[str]] = Field(default_factory=dict)

    def intents(self) -> list[str]:
        return sorted({example.intent for example in self.examples})

    def by_intent(self) -> dict[str, list[NluExample]]:
        grouped: dict[str, list[NluExample]] = {}
        for example in self.examples:
            grouped.setdefault(example.intent, []).append(example)
        return dict(sorted(grouped.items()))

    def entity_types(self) -> list[str]:
        return sorted({entity.entity for example in self.examples for entity in example.entities})

    def canonical(self, value: str) -> str:
        """The canonical form of an entity value (itself when it has no synonym)."""
        return self.synonyms.get(value.strip().lower(), value)

    def merge(self, other: NluDataset) -> NluDataset:
        """Both datasets' data; on a synonym both define, ``other`` wins."""
        return NluDataset(
            examples=[*self.examples, *other.examples],
            synonyms={**self.synonyms, **other.synonyms},
            lookups=_union(self.lookups, other.lookups),
            regexes=_union(self.regexes, other.regexes),
        )


def _union(left: dict[str, list[str]], right: dict[str, list[str]]) -> dict[str, list[str]]:
    merged = {key: list(values) for key, values in left.items()}
    for key, values in right.items():
        merged[key] = list(dict.fromkeys([*merged.get(key, []), *values]))
    return merged


# Annotations -----------------------------------------------------------------------------------
def parse_example(line: str) -> tuple[str, list[NluEntity]]:
    """Plain text and entities of one annotated example (without its leading ``- ``)."""
    plain: list[str] = []
    entities: list[NluEntity] = []
    position = 0
    for match in _ANNOTATION.finditer(line):
        _check_leftover(line[position : match.start()])
        plain.append(line[position : match.start()])
        start = sum(len(part) for part in plain)
        text = match.group("text")
        plain.append(text)
        for spec in _entity_specs(match):
            entities.append(NluEntity(start=start, end=start + len(text), text=text, value=str(spec.get("value", text)),
                                      entity=spec["entity"], role=spec.get("role"), group=spec.get("group")))
        position = match.end()
    _check_leftover(line[position:])
    plain.append(line[position:])
    text = "".join(plain)
    if not text.strip():
        raise NluFormatError("empty example")
    return text, entities


def _check_leftover(segment: str) -> None:
    if _LEFTOVER.search(segment):
        raise NluFormatError(f"malformed entity annotation near {segment.strip()!r}")


def _entity_specs(match: re.Match[str]) -> list[dict[str, Any]]:
    if match.group("entity"):
        spec: dict[str, Any] = {"entity": match.group("entity").strip()}
        if match.group("value"):
            spec["value"] = match.group("value").strip()
        return [spec]
    raw = "{" + match.group("dict") + "}" if match.group("dict") else "[" + match.group("list") + "]"
    try:
        parsed = json.loads(raw)
    except json.JSONDecodeError as error:
        raise NluFormatError(f"invalid JSON entity annotation {raw!r}: {error.msg}") from None
    specs = parsed if isinstance(parsed, list) else [parsed]
    for spec in specs:
        if not isinstance(spec, dict) or not isinstance(spec.get("entity"), str) or not spec["entity"].strip():
            raise NluFormatError(f'entity annotation {raw!r} needs an "entity" name')
        for key in ("role", "group"):
            if key in spec and spec[key] is not None:
                spec[key] = str(spec[key])
    return specs


# Files -----------------------------------------------------------------------------------------
def nlu_files(paths: Iterable[Path | str] | Path | str) -> list[Path]:
    """The YAML files named by ``paths``: files as given, folders searched recursively (sorted)."""
    items = [paths] if isinstance(paths, (str, Path)) else list(paths)
    files: list[Path] = []
    for item in map(Path, items):
        if item.is_dir():
            files.extend(sorted(p for p in item.rglob("*") if p.is_file() and p.suffix.lower() in NLU_SUFFIXES))
        elif item.is_file():
            files.append(item)
        else:
            raise FileNotFoundError(f"NLU data not found: {item}")
    return files


def load_nlu(paths: Iterable[Path | str] | Path | str) -> NluDataset:
    """Every NLU example, synonym, lookup and regex in ``paths`` (files or folders)."""
    dataset = NluDataset()
    files = nlu_files(paths)
    for path in files:
        dataset = dataset.merge(load_nlu_file(path))
    logger.info("nlu.loaded files=%d examples=%d intents=%d", len(files), len(dataset.examples), len(dataset.intents()))
    return dataset


def load_nlu_file(path: Path) -> NluDataset:
    text = path.read_text(encoding="utf-8")
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise NluFormatError(f"invalid YAML: {getattr(error, 'problem', None) or error}", path,
                             mark.line + 1 if mark else None) from None
    if root is None:
        return NluDataset()
    if not isinstance(root, yaml.MappingNode):
        raise NluFormatError("the top level must be a mapping with an 'nlu' key", path, _line(root))
    nlu = dict(_pairs(root)).get("nlu")
    if nlu is None or (isinstance(nlu, yaml.ScalarNode) and nlu.tag == "tag:yaml.org,2002:null"):
        logger.debug("nlu.file.skipped path=%s reason=no-nlu-key", path)
        return NluDataset()
    if not isinstance(nlu, yaml.SequenceNode):
        raise NluFormatError("'nlu' must be a list of intent/synonym/lookup/regex items", path, _line(nlu))
    return _FileReader(path, text.splitlines()).read(nlu)


class _FileReader:
    def __init__(self, path: Path, lines: list[str]) -> None:
        self.path = path
        self.lines = lines
        self.dataset = NluDataset()
        self.implicit: dict[str, str] = {}

    def read(self, nlu: yaml.SequenceNode) -> NluDataset:
        for item in nlu.value:
            self._item(item)
        self.dataset.synonyms = {**self.implicit, **self.dataset.synonyms}
        return self.dataset

    def _error(self, message: str, node: yaml.Node | int) -> NluFormatError:
        return NluFormatError(message, self.path, node if isinstance(node, int) else _line(node))

    def _item(self, item: yaml.Node) -> None:
        if not isinstance(item, yaml.MappingNode):
            raise self._error("each 'nlu' item must be a mapping (intent, synonym, lookup or regex)", item)
        fields = dict(_pairs(item))
        kinds = [key for key in ("intent", "synonym", "lookup", "regex") if key in fields]
        if len(kinds) != 1:
            raise self._error("each 'nlu' item needs exactly one of intent, synonym, lookup, regex", item)
        kind = kinds[0]
        name_node = fields[kind]
        if not isinstance(name_node, yaml.ScalarNode) or not str(name_node.value).strip():
            raise self._error(f"'{kind}' needs a name", name_node)
        name = str(name_node.value).strip()
        if "examples" not in fields:
            raise self._error(f"{kind} '{name}' has no 'examples'", item)
        lines = list(self._lines(fields["examples"]))
        if kind == "intent":
            for raw, line in lines:
                self._example(name, raw, line)
        elif kind == "synonym":
            for raw, _ in lines:
                self._synonym(raw, name)
        elif kind == "lookup":
            values = self.dataset.lookups.setdefault(name, [])
            values.extend(raw for raw, _ in lines if raw not in values)
        else:
            for raw, line in lines:
                try:
                    re.compile(raw)
                except re.error as error:
                    raise self._error(f"invalid regex {raw!r} for '{name}': {error}", line) from None
            self.dataset.regexes.setdefault(name, []).extend(raw for raw, _ in lines)

    def _example(self, intent: str, raw: str, line: int) -> None:
        try:
            text, entities = parse_example(raw)
        except NluFormatError as error:
            raise error.at(self.path, line) from None
        for entity in entities:
            if entity.value != entity.text:
                self.implicit[entity.text.lower()] = entity.value.lower()
        self.dataset.examples.append(NluExample(text=text, intent=intent, entities=entities, source=f"{self.path}:{line}"))

    def _synonym(self, variant: str, canonical: str) -> None:
        key, value = variant.strip().lower(), canonical.strip().lower()
        previous = self.dataset.synonyms.get(key)
        if previous is not None and previous != value:
            logger.warning("nlu.synonym.conflict path=%s variant=%r was=%r now=%r", self.path, key, previous, value)
        self.dataset.synonyms[key] = value

    def _lines(self, node: yaml.Node) -> Iterator[tuple[str, int]]:
        """(content, 1-based line) of each ``- item`` in a block string or a YAML list."""
        if isinstance(node, yaml.SequenceNode):
            for child in node.value:
                if isinstance(child, yaml.MappingNode):
                    child = dict(_pairs(child)).get("text", child)
                if not isinstance(child, yaml.ScalarNode) or not str(child.value).strip():
                    raise self._error("each example must be text (or a mapping with 'text')", child)
                yield str(child.value).strip(), _line(child)
            return
        if not isinstance(node, yaml.ScalarNode):
            raise self._error("'examples' must be a '|' block of '- ' lines or a list", node)
        for offset, content in enumerate(str(node.value).splitlines()):
            stripped = content.strip()
            if not stripped:
                continue
            line = self._find_line(node, offset, stripped)
            if not stripped.startswith("-"):
                raise self._error(f"example lines must start with '- ': {stripped!r}", line)
            value = stripped[1:].strip()
            if not value:
                raise self._error("empty example line", line)
            yield value, line

    def _find_line(self, node: yaml.ScalarNode, offset: int, content: str) -> int:
        if node.style == "|":
            return node.start_mark.line + 2 + offset
        for number in range(node.start_mark.line, min(node.end_mark.line + 1, len(self.lines))):
            if self.lines[number].strip() == content:
                return number + 1
        return _line(node)


def _pairs(node: yaml.MappingNode) -> Iterator[tuple[str, yaml.Node]]:
    for key, value in node.value:
        yield (str(key.value) if isinstance(key, yaml.ScalarNode) else ""), value


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


# Splits ----------------------------------------------------------------------------------------
def stratified_split(dataset: NluDataset, test_fraction: float = 0.2, seed: int = 0) -> tuple[NluDataset, NluDataset]:
    """A deterministic train/test split holding out ``test_fraction`` of every intent.

    Each intent with two or more examples keeps at least one in each part. Examples keep their
    original order in both parts; synonyms, lookups and regexes go to both.
    """
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be between 0 and 1, got {test_fraction}")
    test_ids: set[int] = set()
    for intent, members in dataset.by_intent().items():
        indices = [i for i, example in enumerate(dataset.examples) if example.intent == intent]
        count = round(len(members) * test_fraction)
        if len(members) >= 2:
            count = min(max(count, 1), len(members) - 1)
        random.Random(f"{seed}:{intent}").shuffle(indices)
        test_ids.update(indices[:count])
    shared: dict[str, Any] = {"synonyms": dict(dataset.synonyms), "lookups": dataset.lookups, "regexes": dataset.regexes}
    train = [example for i, example in enumerate(dataset.examples) if i not in test_ids]
    test = [example for i, example in enumerate(dataset.examples) if i in test_ids]
    return NluDataset(examples=train, **shared), NluDataset(examples=test, **shared)


class NluSplits(BaseModel):
    """Train / dev / test parts of one dataset: train fits the weights, dev picks the epoch (early stopping), test is
    only ever scored (``eval nlu``, the test floors, ``bench nlu``)."""

    train: NluDataset
    dev: NluDataset
    test: NluDataset


def three_way_split(dataset: NluDataset, dev_fraction: float, test_fraction: float, seed: int = 0) -> NluSplits:
    """A deterministic, stratified train / dev / test split (shares of every intent).

    Within each intent the examples are ranked by a keyed hash of ``seed`` and their normalised text (ties, i.e.
    repeated texts, by their order in the data); the first ``round(n * test_fraction)`` are test, the next
    ``round(n * dev_fraction)`` dev, the rest train. An intent with three or more examples keeps at least one in each
    part. Because the rank of an example depends only on its own text, adding or removing an example moves at most
    one other example of its intent across each boundary (test/dev, dev/train), never from test straight into
    train; a shuffle would re-draw the whole intent.
    Examples keep their original order in each part; synonyms, lookups and regexes go to all three.
    """
    if not (0 < dev_fraction < 1 and 0 < test_fraction < 1 and dev_fraction + test_fraction < 1):
        raise ValueError(f"dev and test fractions must be in (0, 1) with a sum below 1, got {dev_fraction}, {test_fraction}")
    part: dict[int, str] = {}
    for intent in dataset.intents():
        indices = [i for i, example in enumerate(dataset.examples) if example.intent == intent]
        ranked = sorted(indices, key=lambda i: (_split_key(seed, dataset.examples[i].text), i))
        n = len(ranked)
        test = round(n * test_fraction)
        dev = round(n * dev_fraction)
        if n >= 3:
            test, dev = max(test, 1), max(dev, 1)
            test, dev = min(test, n - 2), min(dev, n - 1 - min(test, n - 2))
        for rank, i in enumerate(ranked):
            part[i] = "test" if rank < test else "dev" if rank < test + dev else "train"
    shared: dict[str, Any] = {"synonyms": dict(dataset.synonyms), "lookups": dataset.lookups, "regexes": dataset.regexes}
    chosen = {name: [e for i, e in enumerate(dataset.examples) if part[i] == name] for name in ("train", "dev", "test")}
    return NluSplits(**{name: NluDataset(examples=examples, **shared) for name, examples in chosen.items()})


def _split_key(seed: int, text: str) -> str:
    normal = " ".join(text.lower().split())
    return hashlib.blake2b(f"{seed}\0{normal}".encode(), digest_size=8).hexdigest()
