"""Search constraints in Chinese words, for the facts of a Chinese turn's plan: what was applied ("拓音，¥500以内"),
and the request that matched nothing ("黑色的跑步鞋（¥500以内）"). The English phrases are
``dialogue.handlers.shopping.describe_constraints`` and ``dialogue.relaxation.request_phrase``; these say the same
constraints, with amounts in the shop's currency."""

from __future__ import annotations

from core.money import money
from dialogue.goals import ages_in, gender_named
from dialogue.lexicon_zh import has_han
from dialogue.measures import value_range
from retrieval.models import CORE_ATTRIBUTES, YES_VALUES, SearchConstraints, value_phrase


def price_phrase_zh(c: SearchConstraints, currency: str) -> str | None:
    """"¥100.00–¥200.00", "¥500.00以内", "¥100.00以上", or None."""
    low, high = c.price_min, c.price_max
    if low is not None and high is not None:
        return f"{money(low, currency)}–{money(high, currency)}"
    if high is not None:
        return f"{money(high, currency)}以内"
    return f"{money(low, currency)}以上" if low is not None else None


def _size_zh(value: str) -> str:
    """A size as a Chinese reply says it: M码, 42码 (a value that carries 码 or 号 as it is)."""
    return value if value.endswith(("码", "号")) else f"{value}码"


def describe_constraints_zh(c: SearchConstraints, currency: str) -> str:
    """The constraints a search applied, e.g. "黑色，拓音，¥500.00以内，不要曜森"."""
    who = gender_named(c, "zh")
    bits = [who] if who else []
    bits += ["/".join(map(_size_zh, values)) if key == "size" else "/".join(values) if key in CORE_ATTRIBUTES else f"适合{max(ages)}岁" if (ages := ages_in(values)) else value_range(key, values) or _feature_zh(key, values, "/")
             for key, values in c.attributes_in.items() if key != "gender" or who is None]
    if c.brands_in:
        bits.append("或".join(c.brands_in))
    if (budget := price_phrase_zh(c, currency)) is not None:
        bits.append(budget)
    if c.rating_min is not None:
        bits.append(f"{c.rating_min:g}星以上")
    if c.in_stock:
        bits.append("有货")
    if c.brands_out:
        bits.append("不要" + "、".join(c.brands_out))
    if c.categories_out:
        bits.append("不要" + "、".join(c.categories_out))
    bits.extend(f"适合{min(ages)}岁以下" if (ages := ages_in(values)) else
                "不要" + "/".join(key if v.lower() in YES_VALUES else v for v in values) for key, values in c.attributes_out.items())
    return "，".join(bits)


def request_phrase_zh(c: SearchConstraints, currency: str, *, names: list[str] | None = None) -> str:
    """The request in words, e.g. "黑色的拓音跑步鞋（¥500.00以内）" (only the constraints ``names``, when given)."""
    def wanted(name: str) -> bool:
        return names is None or name in names

    before = [who] if (who := gender_named(c, "zh")) and names is None else []
    before += [("或".join(c.attributes_in[key]) + "的") for key in ("color", "material") if wanted(key) and c.attributes_in.get(key)]
    if wanted("brand") and c.brands_in:
        before.append("或".join(c.brands_in))
    after: list[str] = []
    if wanted("size") and c.attributes_in.get("size"):
        after.append("尺码" + "或".join(c.attributes_in["size"]))
    after.extend(_feature_zh(key, values) for key, values in c.attributes_in.items()
                 if key not in (*CORE_ATTRIBUTES, "gender") and values and wanted(key))
    if wanted("price") and (budget := price_phrase_zh(c, currency)) is not None:
        after.append(budget)
    if wanted("rating") and c.rating_min is not None:
        after.append(f"{c.rating_min:g}星以上")
    if wanted("stock") and c.in_stock:
        after.append("有货")
    noun = "".join(before) + (c.category or "商品")
    return noun + (f"（{'，'.join(after)}）" if after else "")


def _feature_zh(key: str, values: list[str], joiner: str = "或") -> str:
    """A feature filter in words: 嵌入式, 分辨率4K (a value in Latin letters is named with its attribute), and a yes/no
    one by its name (无线, 非防水)."""
    phrases = [value_phrase(key, v) for v in values]
    if phrases != values or all(map(has_han, values)):
        return joiner.join(phrases)
    return f"{key}{joiner.join(values)}"
