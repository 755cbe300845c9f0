"""What to look for when a shopper says what someone likes doing rather than what to buy ("he loves cooking",
她喜欢养花): the goods that go with a pastime, in shopping words the category space can match to the catalog's own
categories (``retrieval.category_space``). A pastime the list lacks is matched as said ("she's into yoga" finds yoga
mats by itself); one the shop has nothing for ("he likes fishing") matches nothing, and the assistant says so and asks
what else they enjoy (``dialogue.handlers.shopping.pastime_not_served``).
"""

from __future__ import annotations

#: Pastime → the goods that go with it (a gift for someone who likes it).
GOODS_FOR_PASTIME: dict[str, str] = {
    # English: only where a search of the pastime's words finds little ("cooking" and "travel" find kitchen goods
    # and travel backpacks by themselves, across more kinds than one category would)
    "movies": "tvs", "films": "tvs", "cinema": "tvs", "reading": "desk lamps", "books": "desk lamps",
    "tea": "electric kettles",
    # Chinese
    "做饭": "锅具", "下厨": "锅具", "烹饪": "锅具", "厨艺": "锅具", "炒菜": "锅具",
    "喝茶": "烧水壶", "泡茶": "烧水壶", "品茶": "烧水壶",
    "看书": "阅读 台灯", "读书": "阅读 台灯", "阅读": "阅读 台灯",
    "画画": "画笔", "绘画": "画笔", "写字": "画笔", "书法": "画笔",
    "养花": "花盆", "种花": "花盆", "种菜": "花盆", "养绿植": "花盆",
    "听音乐": "耳机 音箱", "听歌": "耳机 音箱",
    "旅行": "双肩包", "旅游": "双肩包",
    "追剧": "电视", "看电影": "电视", "看剧": "电视",
}


def goods_for(pastime: str) -> str:
    """The goods that go with ``pastime`` (a word or a Chinese phrase), or the pastime itself when none are listed."""
    return GOODS_FOR_PASTIME.get(pastime.lower(), pastime)
