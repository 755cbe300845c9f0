"""Chinese text as the grounding guard reads it: ideographs, character bigrams, and numbers written in Chinese
(一百二十, 两千五, 1.5万) or with Chinese units (1299元, ¥1,299.00, 3–5个工作日)."""

from __future__ import annotations

import re

#: CJK ideographs (the unified block, extension A and the compatibility ideographs).
CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_CHAR = re.compile(f"[{CJK}]")
_CJK_RUN = re.compile(f"[{CJK}]+")

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
_LARGE_UNITS = {"万": 10_000, "亿": 100_000_000}
#: A number written in Chinese numerals.
NUMERAL = "[零〇一二两三四五六七八九十百千万亿]+"
#: An amount: digits ("1,299.00", "1.5万") or Chinese numerals ("一千二百九十九").
AMOUNT = r"\d[\d,]*(?:\.\d+)?(?:\s?[万千亿])?|" + NUMERAL
#: Words that hold numeral characters but state no number ("万一", "千万别", "十分"); removed before numbers are read.
IDIOMS = re.compile("一一|万一|千万|万万|十分|十足|百分百|一五一十|成千上万|千千万万|一模一样|乱七八糟|七七八八|三番五次|五花八门|"
                    "四面八方|一干二净|独一无二|一百分|千篇一律|万无一失")


def has_cjk(text: str | None) -> bool:
    return bool(text) and _CJK_CHAR.search(text) is not None  # type: ignore[arg-type]


#: Words only an English sentence has (a Chinese one may still name "Apple" or "Pro").
_ENGLISH_WORDS = re.compile(r"\b(?:the|a|an|is|are|was|were|be|has|have|than|of|to|and|with|for|from|this|that|these|it|its|you|your|"
                            r"we|our|can|not|no|does|do|in|on|at|by|or|under|over|more|less)\b", re.I)


def is_chinese(text: str | None) -> bool:
    """Whether a text is written in Chinese: it has ideographs, and either more of them than Latin letters or no
    English function word ("苹果手机", "Apple手机" and "黑色，5000元以内" are Chinese; "The 启瞳 X1 is cheaper." is not)."""
    if not text or not has_cjk(text):
        return False
    ideographs = len(_CJK_CHAR.findall(text))
    letters = sum(ch.isascii() and ch.isalpha() for ch in text)
    return ideographs >= letters or _ENGLISH_WORDS.search(text) is None


def bigrams(text: str) -> list[str]:
    """The character bigrams of every CJK run (a lone character as itself): how Chinese text is compared."""
    out: list[str] = []
    for run in _CJK_RUN.findall(text):
        out += [run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)]
    return out


def parse_numeral(text: str) -> int | None:
    """一百二十 → 120, 两千五 → 2500 (a trailing digit counts in the unit below the last one), 三万五千 → 35000,
    二〇二四 → 2024 (digits without units read one by one); None when ``text`` is not a numeral."""
    if not text or any(ch not in _DIGITS and ch not in _SMALL_UNITS and ch not in _LARGE_UNITS for ch in text):
        return None
    if all(ch in _DIGITS for ch in text):
        return int("".join(str(_DIGITS[ch]) for ch in text))
    total, section, digit, last_unit = 0, 0, None, 0
    for ch in text:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        elif ch in _SMALL_UNITS:
            unit = _SMALL_UNITS[ch]
            section += (1 if digit is None else digit) * unit
            digit, last_unit = None, unit
        else:
            unit = _LARGE_UNITS[ch]
            total += (section + (digit or 0)) * unit if (section or digit) else unit
            section, digit, last_unit = 0, None, unit
    if digit is not None:  # "两千五": the five is five hundred; "一百零五": the five is five
        section += digit * (last_unit // 10 if last_unit >= 100 and text[-2] not in _DIGITS else 1)
    return total + section


def numeral(n: int) -> str:
    """0 ≤ n < 10000 in Chinese numerals, as ordinals write them (12 → 十二, 105 → 一百零五, 2024 → 二千零二十四);
    larger numbers in digits."""
    if not 0 <= n < 10_000:
        return str(n)
    if n < 10:
        return "零一二三四五六七八九"[n]
    if n < 20:
        return "十" + ("" if n == 10 else "零一二三四五六七八九"[n - 10])
    out, zero = "", False
    for unit, size in (("千", 1000), ("百", 100), ("十", 10), ("", 1)):
        digit, n = divmod(n, size)
        if digit:
            out += ("零" if zero and out else "") + "零一二三四五六七八九"[digit] + unit
            zero = False
        elif out:
            zero = True
    return out


def parse_amount(raw: str) -> float | None:
    """An amount as ``AMOUNT`` matches it: "1,299.00" → 1299.0, "1.5万" → 15000.0, "一千二百" → 1200.0."""
    raw = raw.strip()
    match = re.fullmatch(r"(\d[\d,]*(?:\.\d+)?)\s?([万千亿])?", raw)
    if match:
        try:
            value = float(match.group(1).replace(",", ""))
        except ValueError:
            return None
        unit = match.group(2)
        return value * ({"千": 1000, **_LARGE_UNITS}[unit] if unit else 1)
    number = parse_numeral(raw)
    return float(number) if number is not None else None


def numbers_in(text: str) -> set[float]:
    """Every number written in Chinese numerals or with a Chinese unit in ``text`` (the facts a reply may repeat)."""
    found: set[float] = set()
    for match in re.finditer(AMOUNT, IDIOMS.sub(" ", text)):
        value = parse_amount(match.group(0))
        if value is not None:
            found.add(value)
    return found
