"""Pattern slots of Chinese messages: prices, ratings, quantities, references and order ids next to Han characters.

Run by :class:`dialogue.slot_rules.PatternRules` before its English rules when a message has Han characters (or ¥); each
rule claims its characters the same way, so a later rule (and the vocabulary matcher) skips them. The values are
the English rules' values: 500元以内 is ``price_max=500`` as "under 500" is; 两百左右 is 170-230 as "around 200" is
(``around_tolerance``); 第二款 is the ordinal 2 as "the second one" is; 这个/它 is the focus as "this one"/"it" is.

Choices worth knowing:

* Amounts: digits ("500", "1.5k", "2万", "3千5") or Chinese numerals ("两百", "三千五" = 3500, "一千二" = 1200).
  A Chinese numeral without 十/百/千/万 ("一块", "两件") is a count, never money, unless 元/块钱 follows.
  200多 is 200-300 (the next step of its last digit: 1000多 = 1000-2000, 50多 = 50-60); 三四百 is 300-400.
  An amount with 元/块/¥ alone is a budget (``price_max``), as "$500" is, unless it states what was paid (花了, 才 ...);
  "500的" (a number of three digits or more before 的, at the end of a clause) is a budget too.
* 一 + measure word (一个, 一件) is the indefinite article more often than a count: it is a quantity only after a
  cart verb (来, 加, 拿, 放, 只要, 减到 ...) or as the whole message (一件就行). Two or more is a quantity after a cart
  verb (来三个, 买2双, 再看十个) or as the whole message (两件), not otherwise ("两件夹克有哪些尺码" asks about two
  jackets, as "two jackets" does), nor where it points at products (两个都 = both, 这两个 = these, 前两个 = the
  first two, 三个都 = all). 退一个 / 取消订单里的一件 / 少要一个 count the items to return, cancel or drop.
* Order ids: after 订单/单号/订单号 (是/：) any code with a digit ("订单A1B2C3" → ``A1B2C3``; digits alone, with or
  without the prefix, → ``ORD-digits``), and a number of 8 to 15 digits anywhere (Chinese order numbers are long;
  ``order_max_digits`` if larger).
* 左边那个 / 右边那个 / 中间那个 are claimed and yield nothing, as "the one on the left" does in English; so is a
  demonstrative after a place (衣架上那件黑色大衣, 后面那件): "the black coat on the rack" is a description, not
  the product in focus.
* Ratings: 4星以上 / 至少4星 / 评分4.5以上 / 4分以上 / 五星; a bare 三星 is Samsung, not a rating. 好评多的 / 评价好的 /
  评分高的 is ``well_rated``, as "good reviews" is.
* Price hints: 便宜点 / 实惠 / 太贵了 / 不要太贵 → cheaper; 贵一点 / 高端 / 质量好 → more_premium; 不便宜 is neither.
  贵的那个 / 便宜的那个 / 最便宜的那个 are references (priciest / cheapest), as "the cheaper one" is.
* A demonstrative (这个, 那款, 那双 ...) is a focus reference; ``dialogue.slots`` turns one that follows an attribute
  (红色那个, Acme那个) into an attribute reference, as "the red one" is (see ``RuleHits.demonstratives``).
  None where it names no product (这个意思, 这个窗口), in a bare confirmation (就是这个, 对，就是它, 不是那个: "that's
  it"), for the search (不搜这个了, 先不看这个了), in 就这些吗 / 就这几个 ("is that all?"), after a place (架子上那件,
  格子里那件) or a pattern word (格子那件, 条纹那件: "the plaid one" names no slot). These follow the annotation
  rules at the top of data/nlu_zh/cart.yml.
* 两个 / 两件夹克 opening a question or comparison ("两件夹克有哪些尺码", "两个分别多少钱") is both, as "the two" of
  those shown is; a count of items delivered ("发了两个一样的") is neither. 哪个最便宜 asks, it points at nothing.
* 能放洗碗机 / 能进微波炉 (dishwasher- or microwave-safe) names no category.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from dialogue.lexicon_zh import (
    CLASSIFIERS,
    DIGITS_SCALED,
    NUMERAL,
    SMALL_NUMBER,
    small_number,
    zh_number,
)
from dialogue.qa.questions import GRADED_ZH

if TYPE_CHECKING:
    from dialogue.slot_rules import RuleHits, SlotOptions

_CL = f"[{CLASSIFIERS}]"
_MAGNITUDE = re.compile("[十百千万kKwW]")
_END = r"(?=\s*(?:$|[，,。.!！?？;；~～]))"


def _amount(name: str) -> str:
    return (rf"(?P<{name}cur>[¥￥])?\s?(?<![0-9a-z.零〇一二两三四五六七八九十百千万第前后这那几])"
            rf"(?P<{name}num>{DIGITS_SCALED}|{NUMERAL})\s?(?P<{name}unit>块钱|块|元|rmb|人民币)?")


#: After an amount: no unit that makes it something else than money (3岁, 5个, 65寸, 4星, 42码, 3天).
_NOT_UNIT = rf"(?![\d.]|\s?(?:{_CL}|[岁斤克米寸码号星分度天年月周瓦升倍毫厘公英%]|小时))"
_A, _B = _amount("a"), _amount("b")

_RANGE = re.compile(rf"(?:(?:价格|价位|预算)?(?:在|从))?{_A}\s*(?:到|至|-|~|～|—|–)\s*{_B}{_NOT_UNIT}(?:之间|区间)?")
_RANGE_PAIR = re.compile(r"(?<![零〇一二两三四五六七八九十百千万\d])(?P<x>[一二两三四五六七八九])(?P<y>[二三四五六七八九])(?P<u>[十百千万])"
                         r"(?:块钱|块|元)?(?![零〇一二两三四五六七八九十百千万\d])")
_SOMETHING_MORE = re.compile(rf"(?P<acur>[¥￥])?(?<![0-9a-z.零〇一二两三四五六七八九十百千万第前后这那几])(?P<anum>{DIGITS_SCALED}|{NUMERAL})"
                             rf"多(?!少)(?P<aunit>块钱|块|元)?(?!\s?(?:{_CL}|[岁斤克米寸码号星分度天年月周瓦升倍]|小时))")
_AROUND = [
    re.compile(rf"{_A}{_NOT_UNIT}\s*(?:左右|上下|出头|附近)"),
    re.compile(rf"(?:大概|大约|差不多|约|大致)\s*(?:在\s*)?{_A}{_NOT_UNIT}"),
]
_MAX = [
    re.compile(rf"(?:不超过|不超|不高于|不到|低于|少于|小于|最多|顶多|最高|至多|别超过|不能超过|不要超过|控制在|"
               rf"预算(?:是|为|在|只有|就|控制在)?)\s*{_A}{_NOT_UNIT}(?:\s*(?:以内|以下|之内|内))?"),
    re.compile(rf"{_A}\s*(?:以内|以下|之内|内|封顶|为止|或以下|及以下|或更少)"),
    re.compile(rf"比\s*{_A}{_NOT_UNIT}\s*(?:还|更)?(?:便宜|低|少)"),
]
_MIN = [
    re.compile(rf"(?:至少|最少|不低于|不少于|高于|超过|大于|起码|最低)\s*{_A}{_NOT_UNIT}(?:\s*(?:以上|起))?"),
    re.compile(rf"{_A}\s*(?:以上|起步|起|往上|及以上|或以上|开外)"),
    re.compile(rf"比\s*{_A}{_NOT_UNIT}\s*(?:还|更)?(?:贵|高|多)"),
]
#: Said before an amount that is what something costs or cost, not a budget.
_PAID_BEFORE = re.compile(r"(?:(?:花|付|买|退|转|充|赔|补|收|扣|省)(?:了|我|给我|你)?|才|是|卖|原价|现价|售价|标价|贵了|便宜了|差|运费|"
                          r"多了|少了)\s*$")
_CURRENCY = re.compile(rf"{_A}{_NOT_UNIT}")
_BARE_DE = re.compile(r"(?<![\d.a-z])(?P<anum>\d{3,6})的(?=\s*(?:$|[，,。.!！?？]|有|呢|吗|吧|可以|行|也))")

_R = r"(?<![\d.])(?P<r>[1-5](?:\.\d)?|[一二三四五])"
_AT_LEAST = r"(?:至少|最少|不低于|高于|大于|超过|起码|最低)?"
_RATING = [
    re.compile(rf"(?:(?:评分|评价|星级|打分)\s*(?:在|要|得)?\s*)?{_AT_LEAST}\s*{_R}\s*(?:颗|个)?星(?!期|座)(?:级)?"
               rf"(?:\s*(?:及以上|以上|或以上|起|往上|好评))?"),
    re.compile(rf"(?:评分|评价|打分|分数)\s*(?:在|要|得)?\s*{_AT_LEAST}\s*{_R}\s*分?(?:\s*(?:及以上|以上|或以上|起|往上))?"),
    re.compile(rf"{_R}\s*分\s*(?:及以上|以上|或以上|起|往上)"),
]
#: A bare 一星 / 二星 / 三星 is a name (三星 is Samsung) more often than a rating; 四星 and 五星 are ratings.
_BRAND_LIKE_STARS = frozenset({"一星", "二星", "两星", "三星"})
_WELL_RATED = re.compile(r"好评(?:多|率高|如潮|最多)?的|评价(?:好|高|不错|很好)的|评分(?:很|挺|比较|特别)?(?:高|较高|不错)的|高分的|"
                         r"口碑(?:好|不错)的|好评款|(?<![哪个])好评(?![多率如最怎太不差少])(?=[\u4e00-\u9fff]{1,3}(?:吗|呢|$))")

_ORDER = re.compile(r"(?:订单|定单|单号)(?:号|编号)?(?:码)?\s*(?:是|为|[:：#])?\s*#?\s*(?P<id>[a-z0-9][a-z0-9-]{3,23})(?![a-z0-9])")
#: A long number on its own in a Chinese message is an order number ("3708955616的物流"), not an amount.
_LONG_NUMBER = re.compile(r"(?<![\d.a-z-])(?P<id>\d{8,15})(?![\d.a-z]|\s?(?:元|块|¥))")

_BRAND_FOCUS = re.compile(r"(?:不要|别要?|不想要|除了|换个|换一个|换家|换一家|别的|其他|其它|另外的?|不同的?)(?:这个|那个|这|那|同一个|同个|一样的)?"
                          r"(?:牌子|品牌)|(?:这个|那个|这|那|同一个|同个)(?:牌子|品牌)的?(?:不要|别|就算了|不行|不喜欢)")
_BRAND_WORD = re.compile(r"(?:这个|那个|这|那|同一个|同个|哪个|什么)(?:牌子|品牌)")
_DEMONSTRATIVE = rf"(?:这|那)(?:{_CL})"
_CHEAPEST = re.compile(rf"最便宜(?:的)?(?:{_DEMONSTRATIVE}|一{_CL}|(?={_END}))")
_PRICIEST = re.compile(rf"最贵(?:的)?(?:{_DEMONSTRATIVE}|一{_CL}|(?={_END}))")
#: "最便宜的两款", "两款最贵的": that many references by price, as "the two cheapest" is.
_N_BY_PRICE = re.compile(rf"最(?P<which>便宜|贵)(?:的)?(?P<n>[2-5]|[两二三四五])\s*{_CL}|(?P<n2>[2-5]|[两二三四五])\s*{_CL}最(?P<which2>便宜|贵)(?:的)?")
#: "哪个最便宜": a question, not a pointer.
_WHICH_BEFORE = re.compile(rf"(?:哪|哪一?{_CL}|谁)(?:是|更|比较)?$")
_POSITION = re.compile(rf"(?:最?左边|最?右边|中间|左侧|右侧)(?:的)?(?:{_DEMONSTRATIVE}|{_CL}|(?={_END}))|"
                       rf"(?:最?上面|最?下面|前面|后面|里面|外面|旁边|边上|身上|桌上|架上|墙上|地上|床上|台上|柜里|窗边|门口|"
                       rf"那层|那排|那行|子上|子里|(?<!购物)车里)(?:的)?{_DEMONSTRATIVE}|"
                       rf"(?:格子|条纹|碎花|印花|波点|纯色|图案|花纹)(?:的)?{_DEMONSTRATIVE}")
_FIRST_N = re.compile(r"前\s*(?:面)?\s*(?P<n>[2-9]|[两二三四五六七八九])\s*(?:" + _CL + r"|(?=都|对比|比较|比一下|哪个))")
_BACK_LAST = re.compile(rf"倒数第\s*(?P<n>{SMALL_NUMBER})\s*(?:{_CL})?")
_ORDINAL = re.compile(rf"第\s*(?P<n>\d{{1,2}}|[一二三四五六七八九十]{{1,3}})\s*(?:(?P<cl>{_CL})|(?![次天年月周期名页章步遍回季层届批代位类点条排行]))")
_NUMBERED = re.compile(r"(?<![\d.a-z第前后])(?P<n>\d{1,2}|[一二三四五六七八九十])号(?!码|店|线|楼|房|门|电池|字|鞋|床|桶|机|衣|球)")
_LAST = re.compile(rf"最后(?:面)?(?:那|一|这)?(?:{_CL})|最后那(?={_END})")
_BOTH = re.compile(rf"(?<![这那前后第\d了])(?:两|2)(?:{_CL})(?=都|一样|分别|之间|哪个|有什么|有啥|有何|的区别|比|对比|相比|区别|里|中|当中)|"
                   r"(?:这|那|它)俩|两者|二者")
#: "两件夹克有哪些尺码", "把两条裙子放一起比比": two shown, opening a question or a comparison.
_BOTH_LEAD = re.compile(rf"^\s*(?:把|那|这)?(?P<both>(?:两|2)(?:{_CL}))(?!都)")
_QUESTION = re.compile(r"吗|哪|什么|啥|多少|多大|怎么|区别|差别|对比|比比|比一下|比较|分别|一样|说下|说一下|[?？]")
_ALL = re.compile(rf"它们|他们|这些|那些(?!钱)|(?:这|那)(?:几|两|2|三|四|五)(?:{_CL})|(?<![这那前后第\d])(?:[三四五六七八九]|[3-9])(?:{_CL})都")
#: Words a demonstrative may point at that are not products ("这个订单", "那个颜色").
_NOT_PRODUCT = r"牌子|品牌|颜色|价格|价位|尺码|订单|单子|地址|问题|时候|月|周|次|里|边|么|样子|样的|卡|号码|优惠|活动|价|意思|窗口|机器人|事"
#: Demonstratives that point at no product: a bare confirmation ("就是这个", "对，就是它", "不，不是那个": "that's it"),
#: the search ("不搜这个了"), "就这些吗" / "就这几个" ("is that all?").
_NO_POINTER = [
    re.compile(r"^\s*(?:(?:对|嗯|是的?|没错|不)\s*[，,、]?\s*)?(?:我)?(?:就|也)?(?:是|不是)(?:这个|那个|它)(?:没错|吧|啊|呀)?\s*[。.!！~～]*\s*$"),
    re.compile(r"(?:不|别)(?:再)?(?:看|搜|找)(?:这个|那个)"),
    re.compile(r"就(?:这|那)(?:些|几个|几款|么多)(?=\s*(?:吗|了|啊|呀|[?？，,。]|$))"),
]
#: "能放洗碗机", "能进微波炉": dishwasher- / microwave-safe, no category.
_APPLIANCE_SAFE = re.compile(r"(?:能|可以|可|能不能|可不可以)(?:放|进|用)(?:洗碗机|微波炉|烤箱|消毒柜)")
_FOCUS = re.compile(rf"(?:这|那)(?:{_CL})(?!(?:{_NOT_PRODUCT}))|它(?!们)")
#: "贵的那个" / "便宜的那款": the pricier / cheaper one of those shown.
_PRICE_DESCRIBED = re.compile(rf"(?:更)?(?P<which>贵|便宜)的(?:{_DEMONSTRATIVE}|一{_CL})")
#: "更轻的那个", "安静一点的那款", "评分高的那个": the one best on that attribute among those shown (``graded``), as "the
#: lighter one" is; the attribute words are the question reader's (哪个更轻) that name one, not the price (above).
_GRADED_WORDS = "|".join(sorted((w for w, (cue, _) in GRADED_ZH.items() if cue not in (None, "price")), key=len, reverse=True))
_GRADED_DESCRIBED = re.compile(rf"(?P<most>更|最|比较)?(?P<g>{_GRADED_WORDS})(?:一点|一些|点)?的(?:{_DEMONSTRATIVE}|一{_CL})|"
                               rf"(?P<topic>评分|分数|评价|口碑|好评)(?:更|最|比较)?(?:高|好|多)的(?:{_DEMONSTRATIVE}|一{_CL})")
#: The phrase each rating topic is ranked by (as 哪个评分最高 asks).
_RATING_GRADE = {"评分": "评分最高", "分数": "分数最高", "评价": "评价最好", "口碑": "口碑最好", "好评": "评价最好"}
#: The references that rank the products shown (by price, or on an attribute).
RANKING_REFERENCES_ZH = (_N_BY_PRICE, _CHEAPEST, _PRICIEST, _PRICE_DESCRIBED, _GRADED_DESCRIBED)
#: Questions about sizes ("多大码", "什么码"): no size named.
_SIZE_QUESTION = re.compile(r"多大(?:码|号)|什么(?:码|号|尺码)|哪个(?:码|号)|几码|几号")

_Q = rf"(?P<q>{SMALL_NUMBER})"
#: Two or more (一 + measure word after most verbs is an article: 买一双跑鞋).
_Q2 = r"(?P<q>\d{1,3}|[二两三四五六七八九十][一二三四五六七八九十]{0,2})"
_CART_VERB = r"(?:来|加|拿|放|买|购买|下单|订|添加|要|再来|再加|再拿|再要|再买|给我来|给我加|先来|先拿)"
_FIX_VERB = r"(?:改成|改为|换成|减到|减成|减为|加到|变成|只要|就要|只买|只拿|只来)"
_ONE_VERB = r"(?:来|加|拿|放|再来|再加|再拿|再要|给我来|给我加|先来|先拿|去掉|删掉|删除|移除|拿掉|减掉|减少|少要|退掉?|退回)"
_QUANTITY_FIX = re.compile(rf"{_FIX_VERB}\s*{_Q}\s*{_CL}")
_QUANTITY = [
    re.compile(rf"(?:数量|件数|个数)\s*(?:是|为|[:：=])?\s*{_Q}"),
    re.compile(rf"{_ONE_VERB}\s*(?P<one>一){_CL}(?!分)"),
    re.compile(rf"(?:取消|退)(?:订单|购物车)里的\s*(?P<one>一){_CL}"),
    re.compile(rf"{_CART_VERB}\s*{_Q2}\s*{_CL}"),
    re.compile(rf"(?:(?:再|多)(?:给我)?(?:看|推荐|推|展示|显示)(?:看)?|后面|再)\s*{_Q2}\s*{_CL}"),
    re.compile(rf"(?:^|[，,；;])\s*(?:那就|就|我要|给我|要)?\s*{_Q}\s*{_CL}\s*(?:吧|就行|就好|就够了?|好了|了|呢|谢谢)?\s*[。.!！~～]*\s*$"),
]

_CHEAPER = re.compile(r"(?<!太)(?:更|再)?便宜(?:一?点|一?些)?|实惠|划算|性价比高|平价|低价|太贵|有点贵|贵了|超预算|预算不够|省钱|"
                      r"价格(?:再|更)?低(?:一?点|一?些)?|价位(?:再|更)?低|(?:再|更)低(?:一?点|一?些)|不要太贵|别太贵|不贵")
_PREMIUM = re.compile(r"贵(?:一?点|一?些)|更贵|高端|高档|档次高|上档次|好一点的|质量好|品质好|奢华|豪华|旗舰|太便宜")
_NEGATED_HINT = re.compile(r"(?:不|不要|别|不能|没那么|不用)(?:太|那么)?$")


def run(text: str, hits: RuleHits, options: SlotOptions) -> None:
    """All Chinese pattern slots of ``text`` (lower-cased), added to ``hits``."""
    for m in _APPLIANCE_SAFE.finditer(text):
        hits.claim(m)
    _order_id(text, hits, options)
    _rating(text, hits, options)
    _price(text, hits, options)
    _references(text, hits, options)
    _hints(text, hits)


#: Chinese order numbers run to 15 digits (data/nlu_zh/customer_service.yml: "a bare 8-15 digit number").
_ZH_ORDER_MAX_DIGITS = 15


def _order_id(text: str, hits: RuleHits, options: SlotOptions) -> None:
    prefix = options.order_prefix.lower()
    longest = max(options.order_max_digits, _ZH_ORDER_MAX_DIGITS)
    for m in _ORDER.finditer(text):
        code = m.group("id").strip("-")
        if not any(ch.isdigit() for ch in code):
            continue
        digits = re.fullmatch(rf"(?:{re.escape(prefix)}-?)?(\d+)", code)
        if digits and not options.order_min_digits <= len(digits.group(1)) <= longest:
            continue
        if hits.order_id is None and hits.claim(m):
            hits.order_id = f"{options.order_prefix}-{digits.group(1)}" if digits else code.upper()
    for m in _LONG_NUMBER.finditer(text):
        if options.order_min_digits <= len(m.group("id")) <= longest and hits.order_id is None and hits.claim(m):
            hits.order_id = f"{options.order_prefix}-{m.group('id')}"


def _rating(text: str, hits: RuleHits, options: SlotOptions) -> None:
    for pattern in _RATING:
        for m in pattern.finditer(text):
            value = zh_number(m.group("r"))
            if m.group() in _BRAND_LIKE_STARS:
                continue  # "三星的手机": Samsung, not three stars
            if value is not None and 0 < value <= 5 and hits.rating_min is None and hits.claim(m):
                hits.rating_min = value
    for m in _WELL_RATED.finditer(text):
        if _GRADED_DESCRIBED.match(text, m.start()):
            continue  # "评分高的那个": the best rated of those shown (a reference), not a filter
        if hits.rating_min is None and hits.claim(m):
            hits.rating_min = options.well_rated


def _value(match: re.Match[str], name: str) -> tuple[float | None, bool]:
    """(value, is money) of amount ``name``; a Chinese numeral without a magnitude is no amount unless 元/块钱 follows."""
    raw = match.group(f"{name}num")
    unit = match.group(f"{name}unit") or ""
    value = zh_number(raw)
    if value is None:
        return None, False
    if not raw[0].isdigit() and not _MAGNITUDE.search(raw) and unit not in ("元", "块钱"):
        return None, False
    return value, bool(match.group(f"{name}cur") or unit or _MAGNITUDE.search(raw))


def _price(text: str, hits: RuleHits, options: SlotOptions) -> None:
    minimum = options.bare_price_minimum
    for m in _RANGE.finditer(text):
        (low, low_money), (high, high_money) = _value(m, "a"), _value(m, "b")
        if low is None or high is None or not (low_money or high_money or high >= minimum):
            continue
        if m.group("bnum")[-1] in "kKwW千万" and m.group("anum")[-1].isdigit() and low < 10 <= low * 1000 <= high * 1.0001:
            low *= 1000 if m.group("bnum")[-1] in "kK千" else 10000  # "1-2千"
        if hits.claim(m):
            hits.price_min, hits.price_max = min(low, high), max(low, high)
            return
    for m in _RANGE_PAIR.finditer(text):
        x, y, unit = zh_number(m.group("x")), zh_number(m.group("y")), zh_number(m.group("u"))
        if x is not None and y is not None and unit is not None and y == x + 1 and hits.claim(m):
            hits.price_min, hits.price_max = x * unit, y * unit
            return
    for m in _SOMETHING_MORE.finditer(text):
        value, money = _value(m, "a")
        if value is None or value != int(value) or value % 10 or not (money or value >= minimum):
            continue  # "200多", "两百多块", "1000多"; not "15多"
        step = 1
        while value % (step * 10) == 0 and step * 10 <= value:
            step *= 10
        if hits.claim(m):
            hits.price_min, hits.price_max = value, value + step
            return
    for m in (m for pattern in _AROUND for m in pattern.finditer(text)):
        value, money = _value(m, "a")
        if value is not None and (money or value >= minimum) and hits.claim(m):
            tolerance = options.around_tolerance
            hits.price_min, hits.price_max = round(value * (1 - tolerance), 2), round(value * (1 + tolerance), 2)
            return
    for patterns, bound in ((_MAX, "max"), (_MIN, "min")):
        for m in (m for pattern in patterns for m in pattern.finditer(text)):
            value, money = _value(m, "a")
            if value is None or not (money or value >= minimum) or not hits.claim(m):
                continue
            if bound == "max" and hits.price_max is None:
                hits.price_max = value
            elif bound == "min" and hits.price_min is None:
                hits.price_min = value
    if hits.price_min is not None or hits.price_max is not None:
        return
    for m in _CURRENCY.finditer(text):
        value, _ = _value(m, "a")
        if value is None or not (m.group("acur") or m.group("aunit")) or _PAID_BEFORE.search(text, 0, m.start()):
            continue
        if value > 0 and hits.claim(m):
            hits.price_max = value
            return
    for m in _BARE_DE.finditer(text):
        value = float(m.group("anum"))
        if value >= max(minimum, 100) and hits.claim(m):
            hits.price_max = value
            return


def _references(text: str, hits: RuleHits, options: SlotOptions) -> None:
    refs = hits.references
    for m in _BRAND_FOCUS.finditer(text):
        hits.brands_out_focus = hits.claim(m) or hits.brands_out_focus
    for m in _BRAND_WORD.finditer(text):
        hits.claim(m)  # "这个牌子": the brand, not the product in focus
    for pattern in _NO_POINTER:
        for m in pattern.finditer(text):
            hits.claim(m)
    for m in _N_BY_PRICE.finditer(text):
        if hits.claim(m):
            kind = "cheapest" if (m.group("which") or m.group("which2")) == "便宜" else "priciest"
            refs += [(m.start() + i, kind, i + 1, None, None) for i in range(small_number(m.group("n") or m.group("n2")) or 0)]
    for pattern, kind in ((_CHEAPEST, "cheapest"), (_PRICIEST, "priciest")):
        for m in pattern.finditer(text):
            if hits.claim(m) and not _WHICH_BEFORE.search(text, 0, m.start()):
                refs.append((m.start(), kind, None, None, None))
    for m in _PRICE_DESCRIBED.finditer(text):
        if hits.claim(m):
            refs.append((m.start(), "priciest" if m.group("which") == "贵" else "cheapest", None, None, None))
    for m in _GRADED_DESCRIBED.finditer(text):
        if not _WHICH_BEFORE.search(text, 0, m.start()) and hits.claim(m):
            grade = _RATING_GRADE[m.group("topic")] if m.group("topic") else ("最" if m.group("most") == "最" else "更") + m.group("g")
            refs.append((m.start(), "graded", None, None, grade))
    for m in _POSITION.finditer(text):
        hits.claim(m)
    for m in _SIZE_QUESTION.finditer(text):
        hits.claim(m)
    for m in _FIRST_N.finditer(text):
        count = small_number(m.group("n")) or 0
        if 2 <= count <= options.max_ordinal and hits.claim(m):
            refs += [(m.start() + i, "ordinal", i + 1, None, None) for i in range(count)]
    for m in _BACK_LAST.finditer(text):
        if hits.claim(m) and small_number(m.group("n")) == 1:
            refs.append((m.start(), "last", None, None, None))
    for m in _ORDINAL.finditer(text):
        index = small_number(m.group("n"))
        if index and 1 <= index <= options.max_ordinal and hits.claim(m):
            refs.append((m.start(), "ordinal", index, None, None))
    for m in _NUMBERED.finditer(text):
        index = small_number(m.group("n"))
        if index and 1 <= index <= options.max_ordinal and hits.claim(m):
            refs.append((m.start(), "ordinal", index, None, None))
    for pattern, kind in ((_LAST, "last"), (_BOTH, "both"), (_ALL, "all")):
        refs += [(m.start(), kind, None, None, None) for m in pattern.finditer(text) if hits.claim(m)]
    lead = _BOTH_LEAD.search(text)
    if lead and _QUESTION.search(text, lead.end()) and hits.free(lead.start("both"), lead.end("both")):
        hits.spans.append((lead.start("both"), lead.end("both")))
        refs.append((lead.start("both"), "both", None, None, None))
    _quantity(text, hits)
    for m in _FOCUS.finditer(text):
        if hits.claim(m):
            refs.append((m.start(), "focus", None, None, None))
            hits.demonstratives.append((m.start(), m.end()))


def _quantity(text: str, hits: RuleHits) -> None:
    for m in _QUANTITY_FIX.finditer(text):
        value = small_number(m.group("q"))
        if value and 1 <= value <= 999 and hits.quantity is None and hits.claim(m):
            hits.quantity, hits.quantity_fix = value, True
    for pattern in _QUANTITY:
        for m in pattern.finditer(text):
            value = 1 if m.groupdict().get("one") else small_number(m.group("q"))
            if value and 1 <= value <= 999 and hits.quantity is None and hits.claim(m):
                hits.quantity = value


def _hints(text: str, hits: RuleHits) -> None:
    for pattern, hint in ((_CHEAPER, "cheaper"), (_PREMIUM, "more_premium")):
        for m in pattern.finditer(text):
            negated = _NEGATED_HINT.search(text, 0, m.start()) and not m.group().startswith(("不", "别"))
            if negated:
                hits.claim(m)  # "不便宜": no request for cheaper things
            elif hits.claim(m) and hits.price_hint is None:
                hits.price_hint = hint
