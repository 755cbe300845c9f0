"""Chinese word knowledge for slot extraction: Han characters, Chinese numerals, and the Chinese surface forms of
catalog values.

How Chinese words reach catalog values (both demo catalogs, one table):

* Every Chinese form is mapped to an *English canonical* value, the one the English NLU data and the English demo
  catalog use (红色/红/大红 → "red", 藏青 → "blue", 跑鞋 → "running shoes", 大码 → "L", 纯棉 → "cotton"). The table
  (:func:`chinese_forms`) is read from the shipped data, never from annotated examples: the explicit ``synonym:``
  blocks of ``data/nlu_zh/synonyms.yml`` (each form's kind from the ``lookup:`` table of ``lookups.yml`` naming it),
  the colour and material words of ``data/catalog/categories_zh.yml`` (``vocabulary:``), and its leaves, whose
  Chinese path is aligned with the English path (``en:``) level by level (leaf to leaf, root to root, the middle
  when both paths are as long), the leaf's ``noun`` standing for the leaf too. :data:`EXTRA_FORMS` adds the few
  everyday forms those files lack.
* :meth:`dialogue.vocabulary.CatalogVocabulary.from_products` resolves each English canonical against the catalog
  it is built for: the English catalog has "Red" and "Running Shoes" themselves; a Chinese catalog (values 红色,
  跑步鞋, ...) first gets its values' English names as forms ("red" → 红色, "running shoes" → 跑步鞋, from the same
  table), so that 红的 → "red" → 红色 and an English "red" finds 红色 too. A form whose value the catalog does not
  sell is left out, as English synonyms are, but kept as ``unsold`` so that it still hides the shorter forms inside
  it (手机壳, phone cases, is not 手机 on a catalog without phone cases).
* Chinese has no spaces: the slot extractor matches forms on Han characters, one token per character, longest
  first (``dialogue.entities``); a form of a single character (红, 包, 鞋) must also be a word in jieba's
  segmentation of the message, alone or as the last character of a two-character word ("买鞋"; colours: alone
  only), so that 蓝 is no colour in 蓝牙 and 包 no bag in 包邮 (:func:`single_char_words`; jieba's dictionary is
  loaded on the first such form, about 1 s and 25 MB).
"""

from __future__ import annotations

import logging
import re
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from core.settings import DATA_DIR

log = logging.getLogger(__name__)

#: The Han character ranges (CJK Unified Ideographs, extension A, compatibility ideographs), for character classes.
HAN_RANGES = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
HAN = re.compile(f"[{HAN_RANGES}]")
#: A position not inside a Latin/digit word: a Han character counts as a boundary (``\\b`` does not: Han is ``\\w``).
WORD_START = f"(?<![^\\W{HAN_RANGES}])"
WORD_END = f"(?![^\\W{HAN_RANGES}])"


def has_han(text: str) -> bool:
    return HAN.search(text) is not None


def is_han(char: str) -> bool:
    return bool(char) and HAN.match(char) is not None


# Numerals ------------------------------------------------------------------------------------------------------
_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
#: A number in Chinese numerals ("两百", "三千五", "一千二", "十五"); a regex fragment without groups.
NUMERAL = "[零〇一二两三四五六七八九十百千万]+"
#: Digits with an optional scale ("500", "1.5k", "3千", "2万", "3千5"); a regex fragment without groups.
DIGITS_SCALED = r"\d+(?:\.\d+)?(?:\s?[kKwW千万](?:\d(?![\d.]))?)?"
#: Small counts, in digits or Chinese numerals (quantities, ordinals).
SMALL_NUMBER = r"(?:\d{1,3}|[一二两三四五六七八九十]{1,3})"
#: Measure words of the things a shop sells ("两件", "第二款", "这双").
CLASSIFIERS = "个件双款台条只块本把顶套张盏辆瓶支副部盒包袋罐箱份组枚根片株杯"


def zh_number(text: str) -> float | None:
    """The value of a number written in digits and/or Chinese numerals: "500" → 500, "两百" → 200, "三千五" → 3500
    (a trailing digit is one step below the last unit: 三千五 = 3500, 两百五 = 250, 一万二 = 12000), "十五" → 15,
    "1.5k" → 1500, "2万" → 20000, "3千5" → 3500, "一千零五" → 1005. ``None`` when ``text`` is not a number."""
    raw = text.strip().lower().replace(",", "").replace(" ", "")
    if not raw:
        return None
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(?:([kw千万])(\d)?)?", raw)
    if m:
        value = float(m.group(1))
        scale = {"k": 1000, "千": 1000, "w": 10000, "万": 10000}.get(m.group(2) or "", 1)
        tail = int(m.group(3)) * scale / 10 if m.group(3) else 0
        return value * scale + tail
    if not re.fullmatch(NUMERAL, raw):
        return None
    total, section, current, last_unit = 0.0, 0.0, None, None
    for char in raw:
        if char in _DIGITS:
            if current is not None and _DIGITS[char] != 0:
                return None  # "三四": two digits in a row is no number (see price ranges for 三四百)
            current = _DIGITS[char]
            if current == 0:
                last_unit, current = None, None
        elif char == "万":
            section += current or 0
            total += (section or 1) * 10000
            section, current, last_unit = 0.0, None, 10000
        else:
            unit = _UNITS[char]
            section += (current if current is not None else 1) * unit
            current, last_unit = None, unit
    if current is not None:
        section += current * last_unit / 10 if last_unit else current
    return total + section


def small_number(text: str) -> int | None:
    """A count in digits or Chinese numerals ("3", "两", "十二"), or ``None``."""
    value = zh_number(text)
    return int(value) if value is not None and value == int(value) else None


# Surface forms -------------------------------------------------------------------------------------------------
class ChineseForm(NamedTuple):
    """A Chinese surface form of one kind of value and the English canonical value it stands for."""

    kind: str
    surface: str
    english: str


#: Everyday forms the shipped data lacks (kind, form, English canonical): letter sizes with 号 as well as 码; 西装外套 is a
#: blazer (the English data's "blazers"), not any 外套 (jackets), so that a catalog without blazers reads no jacket in it.
EXTRA_FORMS: tuple[ChineseForm, ...] = tuple(
    ChineseForm("size", f"{size}号", size) for size in ("XS", "S", "M", "L", "XL", "XXL", "XXXL")
) + (ChineseForm("category", "鞋靴", "shoes"), ChineseForm("size", "特大码", "XXL"), ChineseForm("category", "西装外套", "blazers"))
#: Kinds the Chinese forms may have (brands are written in the catalog's own spelling).
_KINDS = ("category", "color", "size", "material")


@lru_cache(maxsize=4)
def chinese_forms(data_dir: Path = DATA_DIR) -> tuple[ChineseForm, ...]:
    """Every Chinese form of a category, colour, size or material with its English canonical value (see the module
    doc), first source first: synonyms.yml, categories_zh.yml, :data:`EXTRA_FORMS`. Missing files are skipped."""
    forms: list[ChineseForm] = []
    forms += _nlu_forms(data_dir / "nlu_zh")
    forms += _catalog_spec_forms(data_dir / "catalog" / "categories_zh.yml")
    forms += EXTRA_FORMS
    seen: set[tuple[str, str, str]] = set()
    unique = []
    for form in forms:
        key = (form.kind, form.surface.strip().lower(), form.english.strip().lower())
        if key[1] and key[2] and key not in seen:
            seen.add(key)
            unique.append(ChineseForm(*key))
    log.debug("lexicon_zh.forms count=%d", len(unique))
    return tuple(unique)


def _nlu_forms(folder: Path) -> list[ChineseForm]:
    from dialogue.nlu_data import (
        load_nlu_file,  # the NLU reader (synonym blocks only: no annotated example is read)
    )

    synonyms_path, lookups_path = folder / "synonyms.yml", folder / "lookups.yml"
    if not synonyms_path.is_file() or not lookups_path.is_file():
        log.warning("lexicon_zh.nlu.missing folder=%s", folder)
        return []
    synonyms = load_nlu_file(synonyms_path).synonyms
    lookups = load_nlu_file(lookups_path).lookups
    forms = []
    for kind in _KINDS:
        for surface in lookups.get(kind, []):
            english = synonyms.get(surface.strip().lower())
            if english:
                forms.append(ChineseForm(kind, surface, english))
    return forms


def _catalog_spec_forms(path: Path) -> list[ChineseForm]:
    if not path.is_file():
        log.warning("lexicon_zh.spec.missing path=%s", path)
        return []
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    spec: dict[str, Any] = yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or {}
    words = spec.get("vocabulary") or {}
    forms = [ChineseForm("color", zh, en) for zh, en in (words.get("colors") or {}).items()]
    forms += [ChineseForm("material", zh, en) for zh, en in (words.get("materials") or {}).items()]
    for leaf in spec.get("leaves") or []:
        zh_path, en_path = [str(p) for p in leaf.get("path") or []], [str(p) for p in leaf.get("en") or []]
        if not zh_path or not en_path:
            continue
        pairs = list(zip(zh_path, en_path)) if len(zh_path) == len(en_path) else [(zh_path[0], en_path[0]), (zh_path[-1], en_path[-1])]
        forms += [ChineseForm("category", zh, en) for zh, en in pairs]
        if leaf.get("noun"):
            forms.append(ChineseForm("category", str(leaf["noun"]), en_path[-1]))
    return forms


# Segmentation --------------------------------------------------------------------------------------------------
_JIEBA: Any = None
#: Two-character words jieba's dictionary splits but whose first or second character is no product word here.
NOT_WORDS = frozenset({
    "包邮", "打包", "火锅", "开灯", "关灯", "包装", "包括", "包含", "包裹", "包退", "包换", "包月",
    "包年", "面包", "红包", "白天", "白菜", "金属", "黄金", "蓝牙", "红米", "网红", "灰尘", "白送",
})


def _segmenter() -> Any:
    """jieba's precise-mode tokenizer (the dictionary is built on first use, about 1 s, then cached by jieba)."""
    global _JIEBA
    if _JIEBA is None:
        with warnings.catch_warnings():  # jieba 0.42's regexes warn (invalid escapes) when first compiled
            warnings.simplefilter("ignore")
            import jieba

        jieba.setLogLevel(logging.WARNING)
        _JIEBA = jieba.Tokenizer()
    return _JIEBA


#: Last words of Chinese category names too generic to stand for the category (园艺用品, 书写工具, 露营装备).
GENERIC_HEADS_ZH = frozenset({"用品", "工具", "装备", "器材", "电器", "设备", "产品", "配件", "套装", "座椅", "餐椅"})


def head_noun(name: str) -> str | None:
    """The last word of a Chinese category name when it is a word of its own of two or more characters and not
    generic: 浇花水管 → 水管, 扫地机器人 → 机器人, 空气净化器 → 净化器 (so 浇花的水管 and 买根水管 name it); None for a name
    jieba keeps whole (跑步鞋's 鞋 is one character) or ends in a generic word (园艺用品)."""
    words = _segmenter().lcut(name, HMM=False)
    head = words[-1] if len(words) >= 2 else ""
    return head if len(head) >= 2 and all(is_han(ch) for ch in head) and head not in GENERIC_HEADS_ZH else None


def single_char_words(run: str) -> dict[int, str]:
    """Offsets in ``run`` (a string of Han characters) of the characters that are words in jieba's segmentation (no
    HMM guesses): ``"alone"`` for a word of one character, ``"tail"`` for the last of a two-character word ("买鞋",
    "看包"); none that starts or ends one of :data:`NOT_WORDS`."""
    found: dict[int, str] = {}
    position = 0
    for word in _segmenter().lcut(run, HMM=False):
        if len(word) in (1, 2) and all(is_han(ch) for ch in word):
            at = position + len(word) - 1
            pair_after, pair_before = run[at:at + 2], run[max(0, at - 1):at + 1]
            if pair_after not in NOT_WORDS and pair_before not in NOT_WORDS:
                found[at] = "alone" if len(word) == 1 else "tail"
        position += len(word)
    return found
