"""What a search request's wording says beyond its slots: a brand the catalog does not carry ("any from Apple?",
"do you have samsung tvs"), a wish about stock ("show the sold out ones too", "only what's in stock") and a wish for
another colour than the one just seen ("a different colour", 换个颜色).

Slot extraction only knows the catalog's own brands, so a brand the shop does not sell would otherwise vanish and
the shopper would get other brands' products with no word about it. A word counts as such a brand when the catalog
never uses it and it is written as a name (capitalised inside the sentence), is a well-known brand, or follows
"from"/"by"/"made by" or precedes "brand" without being an ordinary English word.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Literal

from dialogue.lexicon import NUMBER_WORDS, STOPWORDS, english_words

#: Well-known consumer brands, lower case → display form. Only names that are not ordinary words ("Dove", "Gap",
#: "Shark", "Purple" are left out: they need a capital letter to count).
WELL_KNOWN_BRANDS: dict[str, str] = {b.lower(): b for b in """
    Apple Samsung Sony Dell Lenovo Asus Acer Microsoft Google Huawei Xiaomi OnePlus Motorola Nokia Bose JBL Sennheiser
    Logitech Razer Canon Nikon GoPro Fitbit Garmin Panasonic Philips Toshiba Vizio Hisense Roku Anker iPhone iPad MacBook
    Dyson Bosch Whirlpool KitchenAid Miele Frigidaire Maytag Electrolux iRobot Roomba Keurig Nespresso Breville Cuisinart
    Smeg DeLonghi Vitamix Nike Adidas Puma Reebok Asics Converse Vans Skechers Patagonia Levi's Levis Zara Uniqlo Gucci
    Prada Chanel Dior Timberland Crocs UGG Birkenstock Lululemon Hoka IKEA Wayfair Steelcase Casper Tempur-Pedic L'Oreal
    Loreal Maybelline Clinique Revlon Neutrogena Olay Nivea Sephora CeraVe LEGO Mattel Hasbro Barbie Playmobil Nerf Yeti
    Coleman Cannondale Peloton Bowflex Graco Chicco Britax Purina Moleskine Sharpie Xbox PlayStation Nintendo Bissell
    Hoover Instax Polaroid Beats Sonos Marshall Tefal Le-Creuset Staub Zwilling Henckels Victorinox Oral-B Braun Remington
    Gillette Calvin-Klein Tommy-Hilfiger Ralph-Lauren Michael-Kors Ray-Ban Oakley Rolex Casio Seiko Fossil Swatch
    """.split()}
WELL_KNOWN_BRANDS.update({k.replace("-", " "): v.replace("-", " ") for k, v in WELL_KNOWN_BRANDS.items() if "-" in k})

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'&\-]*")
_BEFORE_NAME = {"from", "by"}
_AFTER_NAME = {"brand", "brands", "branded"}
_NOT_NAMES = STOPWORDS | set(NUMBER_WORDS) | {
    "any", "anything", "something", "some", "ones", "one", "stuff", "products", "items", "brand", "brands", "other", "another",
    "different", "same", "cheap", "cheaper", "good", "best", "nice", "new", "top", "quality", "famous", "popular", "known",
    "name", "designer", "luxury", "local", "us", "usa", "europe", "china", "japan", "italy", "germany", "today", "tomorrow",
    "hand", "far", "now", "then", "yourself", "them", "those", "these", "that", "this", "you", "your", "me", "my", "i", "mine",
    "i'm", "im", "christmas", "xmas", "easter", "halloween", "thanksgiving", "valentine", "valentines", "birthday", "mom", "mum",
    "dad", "mother", "father", "grandma", "grandpa", "wife", "husband", "son", "daughter", "friend", "boss", "hi", "hello",
    "hey", "thanks", "please", "ok", "okay", "yes", "no",
}
_NEGATIONS = {"not", "no", "nothing", "without", "except", "excluding", "avoid", "hate", "than", "but", "besides", "dislike"}
_OWNERS = {"for", "my", "your", "our", "his", "her", "their", "to"}

_STOCK_ONLY = re.compile(
    r"\b(?:(?:only|just)\s+(?:the\s+)?(?:ones?\s+|ones\s+that\s+are\s+|what'?s\s+|things\s+)?(?:in[\s-]stock|available)|"
    r"in[\s-]stock\s+only|(?:no|not|without|hide|skip|exclude|excluding|except)\s+(?:the\s+|any\s+)?(?:ones\s+(?:that\s+are\s+)?)?"
    r"(?:out[\s-]of[\s-]stock|sold[\s-]out|unavailable))\b")
_STOCK_TOO = re.compile(r"\b(?:out[\s-]of[\s-]stock|sold[\s-]out|unavailable|not\s+in\s+stock)\b")

StockWish = Literal["in_stock_only", "include_out_of_stock"]
#: A request to be shown something ("show me the sold out ones too", "include the unavailable ones"), not a question.
_SHOW_ME = re.compile(r"(?i)^\s*(?:(?:please|pls|ok|okay|and|also|now|then)[\s,]+)*(?:show|include|list|display|let\s+me\s+see)\b")

#: "a different colour", "another color", "other colours", "not that colour" (the brand's counterpart is a slot rule).
_OTHER_COLOUR = re.compile(r"\b(?:(?:a\s+)?(?:different|another|other|some\s+other)\s+colou?rs?|"
                           r"not\s+(?:in\s+)?(?:that|this|the\s+same)\s+colou?r)\b")
#: 换个颜色, 换一种颜色, 别的颜色, 其他颜色, 不同颜色, 不要这个颜色, 换个色.
_OTHER_COLOUR_ZH = re.compile(r"(?:换个|换一个|换一种|换种|别的|其他|其它|另外的?|不同的?|(?:不要|不想要)(?:这个|那个|这种|那种|这|那)?)"
                              r"(?:颜色|色)")


def wants_other_colour(text: str) -> bool:
    """Whether the message asks for a colour other than the one just seen ("a different color", 换个颜色)."""
    return _OTHER_COLOUR.search(text.lower()) is not None or _OTHER_COLOUR_ZH.search(text) is not None


#: A product shown as the model for others: "like the second one", "similar to that one", 和第二个差不多, 类似这款.
_LIKE_ONE = re.compile(r"\b(?:(?:options?|ones?|something|anything|others?|more|alternatives?|products?|items?)\s+like|similar\s+to|"
                       r"same\s+as)\s+(?:the\s+)?(?:first|second|third|fourth|fifth|last|\d+(?:st|nd|rd|th)|that|this|it|#\d)\b")
_SHOWN_ZH = r"(?:第[一二三四五六七八九十\d]+[个款件台双]?|这[个款件台双]?|那[个款件台双]?|它)"
_LIKE_ONE_ZH = re.compile(rf"(?:像|类似于?){_SHOWN_ZH}|(?:和|跟){_SHOWN_ZH}(?:差不多|类似|一样|相似|相近)")


def models_on_a_shown_one(text: str) -> bool:
    """Whether the message asks for products like one shown ("cheaper options like the second one", 和第二个差不多但便宜点的)."""
    return _LIKE_ONE.search(text.lower()) is not None or _LIKE_ONE_ZH.search(text) is not None


#: Words of an order, a return or a refund: "换个牌子" without them is a refinement, not an exchange of an order.
_ORDER_WORDS = re.compile(r"(?i)\b(?:orders?|returns?|returning|refunds?|exchange|cancel\w*|deliver\w*|parcel|package)\b|"
                          r"订单|单号|退|换货|寄回|快递|物流|发货|取消")


def names_an_order(text: str) -> bool:
    """Whether the message speaks of an order, a return, a refund or a delivery ("return the headphones", 退货)."""
    return _ORDER_WORDS.search(text) is not None


#: A product that does not work: "they stopped working", "it arrived broken", "the zipper broke", 耳机坏了, 开不了机.
_FAULT = re.compile(r"(?i)\b(?:stopped|quit|stops)\s+working\b|\b(?:is|are|was|were|came|arrived|got|seems?)\s+(?:\w+\s+)?"
                    r"(?:broken|damaged|defective|faulty|cracked|torn|ripped|dead)\b|\b(?:doesn'?t|does\s+not|won'?t|will\s+not|"
                    r"isn'?t|is\s+not|aren'?t|are\s+not|don'?t|do\s+not)\s+(?:work|working|turn\s+on|charge|charging|power\s+on|"
                    r"switch\s+on|pair)\b|(?<!i'm\s)(?<!\bim\s)(?<!\bam\s)(?<!are\s)\bbroke\b|\bmalfunction\w*|\b(?:defective|faulty)\b|"
                    r"坏了|是坏的|坏掉|出了?问题|质量问题|不能用|用不了|开不了机|不开机|充不进|充不上|不工作|不亮了|破损|损坏|故障|裂了|漏水")
#: Asking for products ("I need new headphones, mine broke"): a search, not a fault report.
_SHOPPING = re.compile(r"(?i)\b(?:need|want|looking\s+for|buy|find|show|recommend|replace|replacement|new)\b|想买|要买|买个|买一|"
                       r"想要|找|推荐|换个新|换一个新|新的")


#: Asking for a return or refund, not only reporting a fault ("it broke, I want my money back", 坏了，能退吗).
_RETURN_WISH = re.compile(r"(?i)\b(?:return\w*|refund\w*|send\s+(?:\w+\s+)?back|exchange\w*|money\s+back)\b|退|换货")


def asks_to_return(text: str) -> bool:
    """Whether the message asks to return something or for a refund ("can I send them back?", 能退吗)."""
    return _RETURN_WISH.search(text) is not None


#: Asking how long something takes or when it happens ("when will I get my money back?", 退款多久到账).
_WHEN = re.compile(r"(?i)^\s*(?:so\s+|and\s+|ok\s+)?(?:when|how\s+long|how\s+many\s+days|how\s+soon)\b|多久|什么时候|几天|多长时间")


def asks_when(text: str) -> bool:
    """Whether the message asks when something happens or how long it takes."""
    return _WHEN.search(text) is not None


#: Shipping in general ("when do you ship", 多久发货), and words that make it one's own order's (my order, 我的快递).
_SHIPS = re.compile(r"(?i)\bship(?:s|ped|ping)?\b|\bdispatch\w*|发货|出货|发出")
_MY_ORDER = re.compile(r"(?i)\bmy\b|\bi\s+(?:ordered|bought|paid|placed)\b|\bour\b|我的|我买的|我下的|我拍的|订单|单号|包裹|快递|物流")


def asks_when_the_shop_ships(text: str) -> bool:
    """Whether the message asks when things ship in general (多久发货, "how soon do you ship?"), not when the
    shopper's own order will ("when will my order ship?", 我的订单什么时候发货)."""
    return asks_when(text) and _SHIPS.search(text) is not None and _MY_ORDER.search(text) is None


#: What shipping costs: "does it ship free?", "free shipping on this?", "how much is shipping", 包邮吗, 运费多少.
_SHIPPING_COST = re.compile(r"(?i)\bships?\s+(?:for\s+)?free\b|\bfree\s+(?:shipping|delivery)\b|\bshipping\s+(?:is\s+)?free\b|"
                            r"\b(?:shipping|delivery|postage)\s+(?:cost|costs|fee|fees|charge|charges|price)\b|"
                            r"\b(?:cost|much)\s+(?:\w+\s+)?(?:to\s+ship|for\s+shipping|is\s+shipping|is\s+delivery)\b|"
                            r"\b(?:pay|charged?)\s+(?:for\s+|extra\s+for\s+)?(?:shipping|delivery|postage)\b|"
                            r"\b(?:with|including|incl\.?|plus)\s+(?:the\s+)?(?:shipping|delivery|postage)\b|"
                            r"\b(?:shipping|delivery|postage)\s+included\b|包邮|免运费|运费|邮费")


#: The next size up or down: "a size bigger", "one size up", "the next size down", 大一码, 小一号.
_SIZE_UP = re.compile(r"(?i)\b(?:(?:a|one|half\s+a)\s+size\s+(?:up|bigger|larger)|size\s+up|(?:a|one)\s+(?:bigger|larger)\s+size|"
                      r"(?:the\s+)?next\s+size\s+up)\b|大一(?:码|号|个码|个号)|(?:尺码|码)大一(?:点|些)")
_SIZE_DOWN = re.compile(r"(?i)\b(?:(?:a|one|half\s+a)\s+size\s+(?:down|smaller)|size\s+down|(?:a|one)\s+smaller\s+size|"
                        r"(?:the\s+)?next\s+size\s+down)\b|小一(?:码|号|个码|个号)|(?:尺码|码)小一(?:点|些)")


def size_step(text: str) -> int:
    """1 when the message asks for the next size up ("a size bigger", 大一码), -1 for the next size down, else 0."""
    return 1 if _SIZE_UP.search(text) else -1 if _SIZE_DOWN.search(text) else 0


#: Asking for products like one shown: "show me similar ones", "anything like this?", "more like that one", 有类似的吗.
_SIMILAR = re.compile(r"(?i)\b(?:similar|alike|(?:more|something|anything|others?|ones?)\s+like\s+(?:this|that|it)(?:\s+one)?)\b|类似|相似|差不多的")


def asks_for_similar(text: str) -> bool:
    """Whether the message asks for products like one shown ("show me similar ones", 有类似的吗)."""
    return _SIMILAR.search(text) is not None


#: Asking about sales and coupons: "do you have any deals?", "is anything on sale?", "promo code?", 有优惠吗, 打折吗.
_DEALS = re.compile(r"(?i)\b(?:deals?|discounts?|coupons?|promo(?:tion)?(?:\s+codes?)?|vouchers?|on\s+sale|sales?\s+(?:going\s+on|now|events?)|"
                    r"black\s+friday|clearance)\b|优惠|打折|折扣|促销|满减|活动价|券")


def asks_about_deals(text: str) -> bool:
    """Whether the message asks about sales, discounts or coupons ("any deals?", 有优惠吗)."""
    return _DEALS.search(text) is not None


#: Taking the last change back: "undo that", "revert it", "I didn't mean to do that", 撤销, 撤回一下, 还原.
_UNDO = re.compile(r"(?i)^\W*(?:(?:oops|oh|no|sorry|wait|please|pls|ok|okay)[\s,!.]+)*(?:undo|revert)(?:\s+(?:that|it|this|the\s+last\s+(?:one|change)))?"
                   r"(?:[\s,]+please)?\W*$|\bi\s+didn'?t\s+mean\s+(?:to(?:\s+do)?\s+)?that\b|撤销|撤回|还原|恢复(?:一下|原样|刚才)")
#: Wanting removed goods back in the cart: "put it back", "add them back", "bring the shoes back", 加回来, 放回去.
_PUT_BACK = re.compile(r"(?i)\b(?:put|add|bring)\s+(?:it|that|them|those|(?:the|my)\s+[\w'-]+(?:\s+[\w'-]+)?)\s+back\b|"
                       r"\brestore\s+(?:my|the)\s+(?:cart|basket)\b|加回来|加回去|放回来|放回去|放回购物车|恢复购物车")


def asks_to_undo(text: str) -> bool:
    """Whether the message takes the last change back ("undo that", 撤销)."""
    return _UNDO.search(text) is not None


#: Changing what was chosen: "change it to size 9", "make it blue instead", "actually a 10", 换成42码, 改成黑色.
_CHANGE = re.compile(r"(?i)\b(?:change|switch|swap)\b|\bmake\s+(?:it|that|them|this|those)\b|\binstead\b|\bactually\b|\brather\b|"
                     r"换成|改成|改为|换为|换个|换一个|还是要")


def changes_the_choice(text: str) -> bool:
    """Whether the message changes a choice just made (a size or colour for the item just added)."""
    return _CHANGE.search(text) is not None


#: Not knowing an order's number: "I don't remember the number", "I lost it", 订单号忘了, 找不到订单号.
_FORGOT_NUMBER = re.compile(r"(?i)\b(?:don'?t|do\s+not|can'?t|cannot|couldn'?t)\s+(?:remember|recall|find|know|see|locate)\b|"
                            r"\bforg[eo]t\b|\blost\s+(?:it|the|my)\b|\bno\s+idea\b|\bnot\s+sure\b|\bwhere\s+(?:do|can)\s+i\s+find\b|"
                            r"忘了|忘记|不记得|记不得|记不清|找不到|不知道|没有订单号|订单号在哪")


def forgot_order_number(text: str) -> bool:
    """Whether the message says the shopper does not know the order number asked for."""
    return _FORGOT_NUMBER.search(text) is not None


#: Not wanting what was just done: "I don't want it anymore", "changed my mind", 算了，不要了, 不买了.
_UNWANTED = re.compile(r"(?i)\bi\s+(?:don'?t|do\s+not|no\s+longer)\s+(?:want|need)\s+(?:it|them|that|those|this|these)\b(?!\s+in\b)|"
                       r"\bchanged\s+my\s+mind\b|\bcancel\s+(?:that|it)\W*$|"
                       r"^\W*(?:算了|还是)?\W*(?:这个|这款|那个|它)?(?:不要了|不想要了|不买了|不要这个了)(?![吗么])|改主意了")


def takes_back(text: str) -> bool:
    """Whether the message no longer wants what was just done ("never mind, I don't want it", 算了，不要了): said
    right after something was added to the cart, it takes that back."""
    return _UNWANTED.search(text) is not None


def asks_to_put_back(text: str) -> bool:
    """Whether the message wants goods back in the cart ("put it back", "add them back", 加回来)."""
    return _PUT_BACK.search(text) is not None


#: Short words of German, French, Spanish, Italian and Portuguese that English messages do not use.
_FOREIGN_WORDS = frozenset("""ich und nicht eine einen einem bitte möchte suche wo ist mein meine für danke hallo je les des
    pour avec une mon voudrais cherche bonjour merci où est los las para una quiero busco necesito dónde está pedido hola gracias
    della sono vorrei cerco grazie ciao não uma obrigado olá quero""".split())


def speaks_another_language(text: str) -> bool:
    """Whether a message in Latin letters is written in another language than English ("Ich möchte eine Waschmaschine
    kaufen bitte", "¿Dónde está mi pedido?"): two or more of ``_FOREIGN_WORDS`` and fewer English words than not."""
    words = re.findall(r"[^\W\d_]+", text.lower())
    foreign = sum(w in _FOREIGN_WORDS for w in words)
    english = sum(w in _english() and w not in _FOREIGN_WORDS for w in words)
    return foreign >= 2 and english * 2 < len(words)


def asks_what_shipping_costs(text: str) -> bool:
    """Whether the message asks what shipping costs or whether it is free ("does this one ship free?", 这个包邮吗, "what's
    my total with shipping?")."""
    return _SHIPPING_COST.search(text) is not None


#: The shopper's own cart or total: "my cart", "my total", "my basket", 购物车.
_OWN_CART = re.compile(r"(?i)\bmy\s+(?:cart|total|basket|bag)\b|\b(?:the|this)\s+cart\b|购物车")


def asks_about_own_cart(text: str) -> bool:
    """Whether the message speaks of the shopper's cart or total ("what's my total with shipping?", 购物车包邮吗)."""
    return _OWN_CART.search(text) is not None


#: "Do you have …?", "do you sell …", "got any …", 有没有 / 有卖: whether the shop sells something.
_SOLD = re.compile(r"(?i)^\W*(?:do|does)\s+(?:you|the\s+shop|your\s+shop)\s+(?:have|sell|carry|stock)\b|^\W*(?:got|have\s+you\s+got)\s+any\b|有没有|有卖")


def asks_whether_sold(text: str) -> bool:
    """Whether the message asks if the shop sells something ("do you have the Nimbra Quasar?", 有没有…)."""
    return _SOLD.search(text) is not None


def asks_to_buy(text: str) -> bool:
    """Whether the message asks for products ("I want to buy …", "looking for …", 想买)."""
    return _SHOPPING.search(text) is not None


#: The whole message wants to shop and names nothing: "I want to buy something", "I'd like to purchase something
#: else", "I want to go shopping", 我想买东西, 随便买点别的.
_BUY_SOMETHING = re.compile(
    r"(?i)^\W*(?:(?:i|we)(?:\s+(?:want|wanna|would\s+like|need)|\s*'d\s+like)\s+to\s+|(?:can|could|may)\s+i\s+|let\s+me\s+|"
    r"i'?m\s+(?:going|here|looking)\s+to\s+)?(?:(?:buy|purchase|get|order|shop\s+for)\s+(?:some\s+)?(?:something|anything|"
    r"stuff|things)(?:\s+else)?|(?:go\s+)?shop(?:ping)?)\W*(?:please|pls)?\W*$|"
    r"^\W*(?:我)?(?:想|要|打算|准备|还想|还要)?(?:随便)?(?:去)?(?:买|购|挑|逛)(?:点|些|个|一些|一点)?(?:别的|其他的?)?(?:东西|商品|好物)(?:吧|呢|啊)?\W*$")


def wants_to_shop(text: str) -> bool:
    """Whether the whole message wants to buy something and names nothing ("I want to buy something", 我想买东西): a
    request to find products, whatever a classifier made of "buy" (a checkout, an order to add, the cart)."""
    return _BUY_SOMETHING.search(text) is not None


#: Asking to look at goods: "let me see …", "can I look at …", 看看…, 我想瞧瞧….
_BROWSE = re.compile(r"(?i)^\W*(?:(?:i\s+(?:want|wanna|would\s+like)\s+to|let\s+me|can\s+i|could\s+i)\s+)?(?:see|look\s+at|browse|check\s+out)\b|"
                     r"^\W*(?:我)?(?:想|要)?(?:看看|看一下|看一看|瞧瞧|逛逛)")


def asks_to_browse(text: str) -> bool:
    """Whether the message asks to look at goods ("let me see the desk lamps", 看看记事本)."""
    return _BROWSE.search(text) is not None


#: Taking a product as it is named, not asking about it: "I'll take the first in L", 第一个要L码, 第二个来M码的.
_TAKE = re.compile(r"(?i)\bi'?ll\s+(?:take|have|get)\b|\bi\s+(?:want|need)\s+(?:the|that|this|it|one|both)\b|\bgive\s+me\s+the\b|"
                   r"(?<![不别没])(?:要|来|拿|买)(?!吗|么|不)")
_ASKING = re.compile(r"[?？吗么]|有没有|能不能|是不是")


#: A product by position and the size or colour wanted of it: "the first in L", "the second one in size 10", 第二个M码.
_VARIANT_OF_ONE = re.compile(r"(?i)\b(?:first|second|third|fourth|fifth|last|other)(?:\s+one)?\s+in\s+(?:size\s+)?[\w.-]+|"
                             r"(?:第[一二三四五六七八九十两\d]+|最后一?)(?:个|款|件|双|条|台|套)?的?\s*[A-Za-z0-9]{1,4}\s*码")
_COMPARING = re.compile(r"(?i)\b(?:compare|comparison|versus|vs\.?|difference|differ|better)\b|比较|对比|区别|差别|不同|哪个好")


def asks_to_take(text: str) -> bool:
    """Whether the message takes a product named by reference (to add it), and asks nothing about it: "I'll take the
    first in L", 第一个要L码, and a size or colour for each of two products ("the first in L and the second in M",
    第一个L码，第二个M码), which is no comparison."""
    if _ASKING.search(text) is not None:
        return False
    return _TAKE.search(text) is not None or len(_VARIANT_OF_ONE.findall(text)) >= 2 and _COMPARING.search(text) is None


#: Asking whether a kind of product can be returned ("can I return a yoga mat?", "can i send a mattress back"), not
#: starting a return of one's own order ("can I return my headphones?").
_RETURN_OF_A_KIND = re.compile(r"(?i)\b(?:can|could|may)\s+(?:i|you|we)\s+(?:return|exchange|send\s+back)\s+(?:a|an|any)\b|"
                               r"\b(?:can|could|may)\s+(?:i|you|we)\s+send\s+(?:a|an|any)\s+(?:\w+\s+){1,3}?back\b")


def asks_about_returning_a_kind(text: str) -> bool:
    """Whether the message asks if a kind of product can be returned (the returns policy), not to return an order."""
    return _RETURN_OF_A_KIND.search(text) is not None


#: A request for other products by who makes them or what they are made of: "any from Apple?", "anythign from sony".
_ANY_FROM = re.compile(r"(?i)^\s*(?:(?:and|so|ok|okay|hmm)[\s,]+)?(?:got\s+|do\s+you\s+have\s+)?any\w*\s+(?:ones?\s+)?"
                       r"(?:from|by|made\s+(?:of|by))\b")


def asks_for_any_from(text: str) -> bool:
    """Whether the message asks for products by their maker or material ("any from Apple?")."""
    return _ANY_FROM.search(text) is not None


def reports_a_fault(text: str) -> bool:
    """Whether the message reports a product that does not work ("they stopped working", 收到的台灯是坏的), without
    asking for products ("I need new headphones, mine broke" is a search)."""
    return _FAULT.search(text) is not None and _SHOPPING.search(text) is None


#: Who likes something, in Chinese: 他, 她, 我老婆, 我男朋友的 …
_LIKER_ZH = r"(?:他|她|我(?:爸|妈|老公|老婆|男朋友|女朋友|朋友|儿子|女儿)\w{0,2})"
#: What the person a gift is for likes, opening a clause or after "who": "he likes cooking", "she's really into yoga",
#: "a gift for my dad, he loves golf", "something for my mom who loves gardening", 她喜欢瑜伽.
_INTEREST = re.compile(r"(?i)(?:(?:^|[,;.!?]|\band\b)\s*(?:(?:well|oh|ok|okay|hmm|so),?\s+)?(?:he|she|they|my\s+\w+)|\bwho)"
                       r"(?:'s|\s+is|\s+are|'re)?\s+(?:(?:really|very|quite|also|actually|totally|absolutely|mostly|a\s+big|big)\s+){0,2}"
                       r"(?:likes?|loves?|enjoys?|into|fan\s+of|crazy\s+about|obsessed\s+with)\s+\w|"
                       rf"^\s*{_LIKER_ZH}(?:很|特别|比较|挺)?(?:喜欢|爱|热爱|迷)")
#: What someone likes, in Chinese: 她喜欢化妆, 他爱露营, 他平时喜欢健身, 他是个咖啡控 (the thing liked, up to the clause's end).
_INTEREST_ZH = re.compile(rf"{_LIKER_ZH}(?:平时|平常|很|特别|比较|挺|最|超|也)*"
                          r"(?:喜欢|爱|热爱|迷|爱好是|是个|是一个)(?P<what>[\u4e00-\u9fff]{1,6}?)(?<!的)(?:控|迷|达人)?(?=[，,。！!？?\s]|$)")


#: Whom a message speaks of, against the person a search was for.
Person = Literal["same", "other"]
#: A message about someone already spoken of: "he likes science", "well, she's into yoga", 他喜欢科学.
_SAME_PERSON = re.compile(r"(?i)^\W*(?:(?:well|oh|ok|okay|hmm|so|and),?\s+)?(?P<pronoun>he|she|they)\b|^\s*(?P<zh>他|她)(?!们)")
#: Whose products a pronoun speaks of, as ``dialogue.goals.gender_of`` names them.
_PRONOUN_GENDER = {"he": "men's", "他": "men's", "she": "women's", "她": "women's"}


def person_spoken_of(text: str, gender: str | None = None) -> Person | None:
    """Whom a message opening with a pronoun speaks of: ``same``, the person already spoken of ("he likes science"),
    unless the pronoun says someone else (``other``: "she likes knitting" after a gift for a son, ``gender``
    "men's"); None when no pronoun opens it ("something for my mom who loves gardening")."""
    if _SAME_PERSON.search(text) is None:
        return None
    said = pronoun_gender(text)
    return "same" if gender is None or said is None or said == gender else "other"


def pronoun_gender(text: str) -> str | None:
    """Whose products the pronoun opening a message speaks of ("she likes knitting" → "women's"), or None."""
    found = _SAME_PERSON.search(text)
    return _PRONOUN_GENDER.get((found["pronoun"] or found["zh"]).lower()) if found is not None else None


def tells_an_interest(text: str) -> bool:
    """Whether the message says what someone likes ("she's into yoga", 他是个咖啡控): a search for that, whatever the
    classifier made of it."""
    return _INTEREST.search(text) is not None or _INTEREST_ZH.search(text) is not None


#: A gift named: "a present for my dad", "it's for her birthday", 送他什么好, 礼物.
_GIFT = re.compile(r"(?i)\b(?:gifts?|presents?|birthday|christmas|anniversary)\b|礼物|生日|送(?:给)?(?:他|她|我|你|爸|妈|老|男|女|朋友|同事|孩子)")


def names_a_gift(text: str) -> bool:
    """Whether the message asks about a gift ("a present for my wife", 送他什么好)."""
    return _GIFT.search(text) is not None


#: Where the thing liked ends: a clause's end, or words that add a budget or another request.
_LIKED_END = re.compile(r"(?i)\s*(?:[,;.!?]|\b(?:and|but|so|under|below|over|around|less|more|for|with|maybe|any|what|"
                        r"something|can|could|please|budget)\b)")
#: Words around the thing liked that are not it: "he likes playing golf", "she loves all kinds of crafts".
_NOT_LIKED = frozenset("""playing play doing going watching to the a an all kinds kind sorts sort of lot lots really very much
    things stuff it them this that""".split())


def interest_en(text: str) -> str | None:
    """The thing an English message says someone likes ("my dad who loves golf" → "golf", "he likes playing chess,
    under $50" → "chess"), or None."""
    found = _INTEREST.search(text)
    if found is None or _INTEREST_ZH.search(text):
        return None
    rest = text[found.end() - 1:]
    end = _LIKED_END.search(rest)
    words = [w for w in re.findall(r"[a-z][a-z'-]*", rest[: end.start() if end else len(rest)].lower()) if w not in _NOT_LIKED]
    return " ".join(words) or None


def interest_zh(text: str) -> str | None:
    """The thing a Chinese message says someone likes (她喜欢化妆 → 化妆, 他是个咖啡控 → 咖啡), or None."""
    found = _INTEREST_ZH.search(text)
    return found["what"] if found else None


def asks_to_be_shown(text: str) -> bool:
    """Whether the message opens with a request to be shown something ("show me …", "include …", "let me see …")."""
    return _SHOW_ME.match(text) is not None


def stock_wish(text: str) -> StockWish | None:
    """"only in stock" / "no sold out ones" → ``in_stock_only``; "show the out of stock ones too" →
    ``include_out_of_stock``; otherwise None."""
    lowered = text.lower().replace("’", "'")
    if _STOCK_ONLY.search(lowered):
        return "in_stock_only"
    if _STOCK_TOO.search(lowered):
        return "include_out_of_stock"
    return None


def unknown_brand(text: str, is_catalog_word: Callable[[str], bool], known: set[str] | None = None) -> str | None:
    """The brand ``text`` asks for that the catalog never mentions (display form), or None.

    ``is_catalog_word`` tells whether a lower-case word occurs in the catalog (titles, brands, categories, values);
    ``known`` holds words the slots already account for."""
    text = text.replace("’", "'")
    lowered = " ".join(text.lower().split())
    for phrase, display in WELL_KNOWN_BRANDS.items():
        if " " in phrase and re.search(rf"\b{re.escape(phrase)}\b", lowered) and not all(map(is_catalog_word, phrase.split())):
            return display
    words = [(m.group(0), m.start()) for m in _WORD.finditer(text)]
    english = _english()
    for i, (word, start) in enumerate(words):
        lower = word.lower().strip("'")
        bare = lower[:-2] if lower.endswith("'s") else lower
        if len(bare) < 2 or bare in _NOT_NAMES or (known and bare in known) or is_catalog_word(bare) or is_catalog_word(lower):
            continue
        before = words[i - 1][0].lower() if i > 0 else ""
        after = words[i + 1][0].lower() if i + 1 < len(words) else ""
        if before in _NEGATIONS or (i > 1 and words[i - 2][0].lower() in _NEGATIONS and before in {"from", "by", "than"}):
            continue  # "not Apple", "nothing from Samsung", "other than Sony": not a brand asked for
        named = word[0].isupper() and i > 0 and not text[:start].rstrip().endswith((".", "!", "?"))
        famous = bare in WELL_KNOWN_BRANDS
        cued = (before in _BEFORE_NAME or (before == "by" and i > 1 and words[i - 2][0].lower() == "made") or after in _AFTER_NAME)
        if famous:
            return WELL_KNOWN_BRANDS[bare]
        if named and (cued or (after and is_catalog_word(after) and before not in _OWNERS)):
            return word[:-2] if word.lower().endswith("'s") else word
        if cued and bare not in english:
            return bare.capitalize() if bare.islower() else word
    return None


#: The noun phrase a request asks for, after a shopping verb: "do you sell surfboards", "I need a chainsaw", "looking
#: for phone cases" (up to a preposition, a clause or the end).
_WANTED = re.compile(r"\b(?:sell|carry|stock|have|got|need|want|buy|add|looking\s+for|look\s+for|searching\s+for|find|get|show|see)\s+"
                     r"(?:(?:me|us)\s+)?(?:(?:a|an|some|any|the|new)\s+)?(?!to\b)(?P<phrase>[a-z][a-z'\- ]*?)\s*"
                     r"(?=\b(?:for|with|under|below|over|that|which|in|from|on|by|at|to|of|and|or|please|pls|too|also|as\s+well)\b|"
                     r"[?.!,;]|$)")
#: Words that name no kind of product, first or last in a phrase ("something cheaper", "a bigger size").
_NOT_KINDS = frozenset("""one ones it them this that these those something anything everything stuff thing things item
    items product products gift gifts present presents idea ideas option options recommendation recommendations help
    more size sizes colour colours color colors price budget version model brand brands kind type style pair pairs set
    deal deals discount discounts quality same other others different cheaper bigger smaller first second third fourth
    fifth last two three four five news updates suggestions thanks results result list lists again details detail info
    information specs reviews review photos pictures images previous new arrivals bestsellers sellers popular trending
    favorites favourites picks catalog catalogue collection selection range sale sales offers offer cart basket order
    orders similar couple few dozen bunch lot""".split())


#: A request that is only a noun phrase: plural ("surfboards?", "any fishing rods"; not "camping", "cozy") or with "a"
#: ("a phone case").
_BARE_PHRASE = re.compile(r"^\s*(?:(?:any|some)\s+(?=.*[^su\W]s\W*$)|(?:a|an)\s+|(?=.*[^su\W]s\W*$))"
                          r"(?P<phrase>(?:[a-z][a-z'\-]*\s+){0,2}[a-z][a-z'\-]*[a-z])\s*[?.!]*\s*$")


#: "Add a gift card", "also add a bag too": something to add named by its kind (not "add another one", "add a medium").
_ADD_A_KIND = re.compile(r"(?i)\badd\s+(?:a|an|some|a\s+few|two|three|\d+)\s+(?P<phrase>[a-z][a-z'\-]*(?:\s+[a-z][a-z'\-]*){0,2}?)\s*"
                         r"(?=\b(?:too|also|as\s+well|please|pls|to|for|in|and)\b|[?.!,;]|$)")


def names_a_kind_to_add(text: str) -> bool:
    """Whether the message asks to add something named by its kind ("also add a card", "add a tote bag too"), not a
    product in view ("add another one", "add a couple more", "add the second")."""
    found = _ADD_A_KIND.search(text.lower().replace("’", "'"))
    head = found["phrase"].split()[-1] if found else ""
    return bool(head) and head not in _NOT_KINDS and head not in STOPWORDS


def unknown_kind(text: str, is_catalog_word: Callable[[str], bool]) -> str | None:
    """The kind of product ``text`` asks for when the catalog has no word for its head noun ("do you sell
    surfboards?", "find me surfboards", "surfboards?" → "surfboards", "looking for phone cases" → "phone cases"), or None
    (a kind the catalog has, or no kind named: "something for my wife", "a bigger size")."""
    lowered = text.lower().replace("’", "'")
    for found in [*_WANTED.finditer(lowered)] or filter(None, [_BARE_PHRASE.match(lowered)]):
        words = found["phrase"].split()
        kind = words
        while len(kind) > 1 and kind[0] in _NOT_KINDS:
            kind = kind[1:]  # "gift cards": its head is cards
        if not kind or kind[0] in _NOT_KINDS or kind[0] in STOPWORDS:
            continue
        head = words[-1]
        if head in _NOT_KINDS or len(head) < 3 or not head.isalpha() or is_catalog_word(head):
            return None
        return " ".join([*words[:-1], _plural(head)])
    return None


#: A Chinese request for a kind of product: 有冲浪板吗, 我想买个冲浪板, 有没有手机壳, 有卖钓鱼竿的吗, 再看看瑜伽砖.
_WANTED_ZH = re.compile(r"(?:有没有|有卖|想买|要买|买|卖|找|想要|需要|来个|来一个|来点|^(?:请问|亲|你们|你家)?有|^(?:再|我想|想)?看看)"
                        r"(?:一?[个件台双把只款副条张套])?(?!没|有)(?P<phrase>[\u4e00-\u9fff]{2,6}?)(?:吗|呢|的|嘛|么|吧|[？?。！!，,\s]|$)")
#: Characters of words that name no kind of product (东西, 推荐, 便宜的, 礼物, 订单), or a quality wanted of the kind
#: in view (大一点的, 更轻的, 带盖子的, 别的).
_NOT_KIND_ZH = re.compile(r"[什哪些东西推荐便宜贵好看礼物优惠活动折扣颜色尺码订单快递货款样号别点更最大小轻重长短高低厚薄多少带新]")
#: A phrase that says who it is for, not what (适合送女朋友的, 送给我妈的, 给孩子的).
_FOR_SOMEONE_ZH = re.compile(r"适合|送|给")


#: Chinese words that name two kinds of product, and those kinds: 笔记本 is a laptop (笔记本电脑) as often as a paper
#: notebook (记事本).
_TWO_KINDS_ZH: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (re.compile(r"笔记本(?!电脑|本)"), ("笔记本电脑", "记事本")),
)


def kinds_meant_zh(text: str) -> tuple[str, ...] | None:
    """The kinds of product a Chinese word of ``text`` may name when it names two (我想买个笔记本 → 笔记本电脑, 记事本),
    or None."""
    return next((kinds for word, kinds in _TWO_KINDS_ZH if word.search(text)), None)


def unknown_kind_zh(text: str, in_catalog: Callable[[str], bool]) -> str | None:
    """The kind of product a Chinese request asks for that the catalog's text never mentions (有冲浪板吗 → 冲浪板), or
    None (a kind it has, or no kind named: 有什么推荐的, 有便宜点的吗)."""
    found = _WANTED_ZH.search(text)
    if found is None or _NOT_KIND_ZH.search(found["phrase"]) or _FOR_SOMEONE_ZH.match(found["phrase"]) or in_catalog(found["phrase"]):
        return None
    return found["phrase"]


def _plural(noun: str) -> str:
    """An English noun's plural by the regular rules ("duvet" → "duvets", "box" → "boxes"); a plural stays."""
    if noun.endswith("s") and not noun.endswith(("ss", "us")):
        return noun
    if noun.endswith(("s", "x", "z", "ch", "sh")):
        return noun + "es"
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + "s"


_ENGLISH: frozenset[str] | None = None


def _english() -> frozenset[str]:
    global _ENGLISH
    if _ENGLISH is None:
        _ENGLISH = english_words()
    return _ENGLISH


#: Taking back a request for a person before one has answered: "never mind", "forget it, I'll keep browsing", "I don't
#: need an agent anymore", 算了, 不用了, 不需要人工了.
_WITHDRAWS_HANDOFF = re.compile(
    r"(?i)^\W*(?:(?:ok(?:ay)?|actually|oh)[\s,]+)?(?:never\s*mind|forget\s+(?:it|that)|no\s+need|"
    r"i'?ll\s+(?:just\s+)?(?:keep\s+(?:browsing|looking|shopping)|figure\s+it\s+out|manage)|"
    r"(?:i\s+)?(?:don'?t|do\s+not)\s+need\s+(?:a\s+person|a\s+human|an?\s+agent|anyone|help)(?:\s+any\s*more)?)\b|"
    r"^\W*(?:算了|不用了|不需要了|不用人工了?|不需要人工了?|不用转人工了?)")


def withdraws_handoff(text: str) -> bool:
    """Whether the message takes back a request for a person ("never mind", 算了)."""
    return _WITHDRAWS_HANDOFF.search(text.replace("’", "'")) is not None


#: Where something the shopper bought is: "where is my hair dryer?", "when will my backpack arrive?", "has my kettle
#: shipped?", 我的吹风机到哪了.
_WHERE_IS_MINE = re.compile(
    r"(?i)^\W*(?:where(?:'s|\s+is|\s+are)|when\s+(?:will|does|do)|(?:has|have))\s+my\s+[a-z][\w\s-]{1,30}?"
    r"(?:\s+(?:arrive|arriving|get\s+here|come|ship|shipped|be\s+delivered|delivered))?\W*$|"
    r"^\W*我(?:买)?的[\u4e00-\u9fff]{1,10}?(?:到哪了|到哪里了|到了吗|什么时候到|发货了吗|发了吗)")


def asks_where_mine_is(text: str) -> bool:
    """Whether the message asks where something the shopper bought is ("where is my hair dryer?", 我的吹风机到哪了)."""
    return _WHERE_IS_MINE.search(text.replace("’", "'")) is not None

