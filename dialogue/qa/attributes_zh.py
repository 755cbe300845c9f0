"""Which product fact a Chinese question is about (``第二个有货吗`` → stock, ``什么材质的`` → material).

In order: a cue for a product field or a core attribute (有货 → stock, 评分 → rating, 多少钱 → price, 材质 → material,
尺码 → size, 颜色 → color); an attribute name of the catalog said in the question (功率, 噪音, 屏幕尺寸); a looser cue
that points at attribute names holding a word (多大 → 容量 / 尺寸 / size, 多重 → 重量, 能用多久 → 续航, 保修 → 保修),
or at the topic itself when no attribute has it, so that the answer says the catalog does not tell; then a word the
question shares with an attribute name (jieba terms). No embedding fallback: the query encoder reads English only,
so for a Chinese question it would pick an unrelated attribute instead of saying the catalog does not tell.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from retrieval.lexical import tokenize

#: Fields and core attributes, by unmistakable cues: these win over an attribute name the question also says
#: (这个款式有什么颜色 asks about colours).
STRONG_CUES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("reviews", ("多少条评价", "几条评价", "评价数", "多少评价", "多少人评价", "评论数", "多少条评论")),
    ("stock", ("有货", "有没有货", "库存", "现货", "缺货", "没货", "断货", "卖完", "售罄", "还剩几", "还剩多少", "能发货")),
    ("rating", ("评分", "几星", "几颗星", "星级", "口碑", "评价怎么样", "评价如何", "评价好", "好评率", "打分", "多少分")),
    ("price", ("多少钱", "价格", "价钱", "几块钱", "多少块", "什么价", "售价", "贵不贵", "贵吗", "便宜吗", "多少元", "卖多少")),
    ("brand", ("品牌", "牌子", "哪家的", "谁家的", "厂家", "哪个厂", "谁生产")),
    ("material", ("材质", "材料", "面料", "什么做的", "啥做的", "什么料", "用料", "布料")),
    ("size", ("尺码", "码数", "几码", "什么码", "哪些码", "哪些号", "多大码", "什么号")),
    ("color", ("颜色", "什么色", "哪些色", "几种色", "几个色", "啥色", "配色", "色号")),
)
FIELDS = {"price", "rating", "reviews", "stock", "brand"}
#: Looser cues → fragments of attribute names to look for, in order (a field name matches itself), and the topic to
#: report as unknown when no attribute on screen has one of them (None: no topic, the question stays unanswered).
WEAK_CUES: tuple[tuple[tuple[str, ...], tuple[str, ...], str | None], ...] = (
    (("几岁", "年龄", "多大孩子", "多大的孩子", "多大的宝宝"), ("适用年龄", "年龄"), "适用年龄"),
    (("多大的房间", "多大房间", "多大的屋", "面积", "平米", "几平"), ("适用面积", "面积"), "适用面积"),
    (("几个人", "几人", "多少人住", "多少人用"), ("适用人数", "人数"), "适用人数"),
    (("承重", "能坐多重", "多重的人", "能承受", "能扛"), ("承重",), "承重"),
    (("尺寸",), ("尺寸", "size"), "尺寸"),
    (("多亮", "亮不亮"), ("亮度",), "亮度"),
    (("多重", "多沉", "重量", "几斤", "多少斤", "多少克", "多少公斤", "重不重", "轻不轻"), ("重量",), "重量"),
    (("多高", "高度"), ("高度",), "高度"),
    (("多宽", "宽度"), ("宽度",), "宽度"),
    (("多长", "长度"), ("长度",), "长度"),
    (("多厚", "厚度", "厚不厚"), ("厚度",), "厚度"),
    (("续航", "电池", "能用多久", "用多久", "待机"), ("续航", "电池"), "续航"),
    (("吵", "声音", "安静", "静音", "分贝"), ("噪音",), "噪音"),
    (("几瓦", "多少瓦"), ("功率",), "功率"),
    (("保修", "质保", "保固"), ("保修", "质保"), "保修"),
    (("能装", "装多少", "几升", "多少升"), ("容量",), "容量"),
    (("内存",), ("运行内存", "内存"), "运行内存"),
    (("存储", "多少g", "几个g"), ("存储容量", "存储"), "存储容量"),
    (("屏幕", "多大屏"), ("屏幕尺寸", "屏幕"), "屏幕尺寸"),
    (("像素", "拍照"), ("像素",), "像素"),
    # "多大" alone asks about size, after the topics it may go with (内存多大, 屏幕多大, 电池多大)
    (("多大", "大小", "大不大"), ("尺寸", "容量", "size"), "尺寸"),
    (("类型", "什么款", "哪种款"), ("type", "款式"), None),
    (("怎么样", "如何", "好不好", "好用吗", "值得买", "值不值", "质量"), ("rating",), None),
)
#: A graded word's cue (dialogue.qa.questions.GRADED_ZH) → a Chinese question on its topic, read by ``match_zh``
#: when the question itself names none ("哪个最轻" → 多重 → 重量).
CUE_TOPICS_ZH: dict[str, str] = {
    "weight": "多重", "noise": "噪音", "big": "多大", "long": "长度", "width": "宽度", "height": "高度",
    "thickness": "厚度", "power": "功率", "bright": "亮度",
}
#: Terms of references and question words, never the topic of a question (jieba terms).
NOT_TOPICS_ZH = re.compile(r"^(第.*|.*[个件款台双只]|这|那|它|哪|什么|多少|怎么样?|如何|吗|呢|有|是|能|可以|请问|一下|几个|哪些)$")


def _named(text: str, keys: Sequence[str]) -> str | None:
    """The longest attribute name of ``keys`` the question says ("功率多大" → 功率); Latin names as whole words."""
    for key in keys:  # longest first
        if re.search(r"[a-z]", key):
            if re.search(rf"(?<![a-z]){re.escape(key)}(?![a-z])", text):
                return key
        elif key in text:
            return key
    return None


def match_zh(text: str, keys: Sequence[str], allow_fields: bool = True, present: Collection[str] | None = None) -> str | None:
    """The attribute key or field name the Chinese question ``text`` (lower case) asks about among ``keys`` (longest
    first), a topic the catalog has no attribute for ("重量"), or None. ``present``: the keys the products in question
    have (default ``keys``); a loose cue picks only one of those ("尺寸多大" about a chair is 尺寸, not the size
    attribute of clothes)."""
    present = keys if present is None else present
    for field, cues in STRONG_CUES:
        if (allow_fields or field not in FIELDS) and any(c in text for c in cues):
            return field
    named = _named(text, keys)
    if named is not None:
        return named
    for cues, fragments, topic in WEAK_CUES:
        if not any(c in text for c in cues):
            continue
        for fragment in fragments:
            if fragment in FIELDS:
                if allow_fields:
                    return fragment
                continue
            found = next((k for k in sorted(present, key=len) if fragment in k), None)
            if found is not None:
                return found
        if topic is not None:
            return topic
    stems = {t for t in tokenize([text])[0] if not NOT_TOPICS_ZH.match(t)}
    scored = [(len(stems & set(tokenize([key])[0])), -len(key), key) for key in keys]
    best = max(scored, default=(0, 0, ""))
    return best[2] if best[0] else None


def names_topic_zh(text: str) -> bool:
    """Whether the Chinese ``text`` (lower case) has a cue for a product field or attribute (有货, 多少钱, 材质, 吵,
    多重, 保修…): what makes a question about a product one the catalog can answer."""
    return any(c in text for _, cues in STRONG_CUES for c in cues) or any(c in text for cues, _, _ in WEAK_CUES for c in cues)
