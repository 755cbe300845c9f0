"""Talking about shown products: comparisons and questions answered from catalog facts."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

from core.language import detect_language
from dialogue.comparison import compare_products, pick_names
from dialogue.handlers import service
from dialogue.lexicon import names_a_plural
from dialogue.plan import ProductCard, ReplyPlan
from dialogue.qa.answers import LESS_IS_BETTER, Mentioned, quantity_of
from dialogue.qa.answers import answer as answer_question
from dialogue.qa.attributes import AttributeMatcher
from dialogue.qa.attributes_zh import match_zh, names_topic_zh
from dialogue.qa.quantities import parse_quantity
from dialogue.qa.questions import REVIEWS_ZH, WHICH_ZH, Question, graded_zh, named_words, overview_name, read_question
from dialogue.references import ReferenceSpec, Resolution, in_view, resolve
from dialogue.reply_facts import AnswerFacts, ClarificationFacts, CompareFacts
from dialogue.slots import Reference, Slots
from dialogue.slot_rules import RANKING_REFERENCES
from dialogue.slot_rules_zh import RANKING_REFERENCES_ZH
from dialogue.state import FeedbackEvent, FeedbackRecord, Goal, TurnRecord
from retrieval.models import Product, ProductHit

if TYPE_CHECKING:
    from dialogue.manager import DialogueManager, Turn

log = logging.getLogger(__name__)

MAX_COMPARE = 4
MAX_ANSWER_CARDS = 3
ROUTED_AS_QUESTION = {"compare", "ask_product_question", "refine", "search_product", "out_of_scope", "add_to_cart"}
#: English questions a model unsure of them may read as remarks ("what about the third?" or "the second one" as praise,
#: "what do people complain about?" as chitchat): questions about the products in view when they ask one
#: (``WH_QUESTION``) or only point at one.
READ_AS_REMARKS = {"chitchat", "feedback_positive", "feedback_negative"}
#: Chinese turns the classifier may give any of these intents and still be a product question ("第一个吵不吵" reads
#: as a complaint, "大家怎么说" as chitchat, "哪款评分最高" as a wish for more).
ROUTED_AS_QUESTION_ZH = ROUTED_AS_QUESTION | {"chitchat", "feedback_negative", "feedback_positive", "show_more"}
#: Intents under which a Chinese superlative or filter is a question only when it asks "which" (哪个最便宜): "还有更便宜的吗"
#: wants more products.
ASKS_FOR_PRODUCTS_ZH = {"refine", "search_product", "add_to_cart", "show_more"}
#: Chinese requests that stay what they are: compare, add to cart, buy, search, show, recommend.
REQUEST_ZH = re.compile(r"对比|比较一下|比一下|比一比|加入|加到|购物车|(?<!值得)买|下单|搜|找|看看|推荐|换一|来[一两几]")  # not 哪款值得买
#: A Chinese question form: a final 吗 / 么 / 嘛 / 呢, "A不A" (吵不吵, 有没有), or a question word.
QUESTION_FORM_ZH = re.compile(r"[吗么嘛呢][？?。!！\s]*$|[？?]\s*$|(.)[不没]\1|多少|几|怎么样|怎样|如何|什么|啥|哪|怎么说")
#: "有 … 的吗" with no product named: are there (other) ones like that, a refinement ("有XL码的吗").
OTHER_ONES_ZH = re.compile(r"^\s*(还|那)?有(没有)?.+的(吗|么|嘛)?[？?]*\s*$")
#: What only asks which product it is in Chinese (最便宜的是哪个).
_ONLY_WHICH_ZH = re.compile(r"[哪个款是呢吗啊的一\s？?。！!，,]")
#: The words that only ask which product it is ("which one is the cheapest").
_ONLY_WHICH = frozenset("so and ok okay which what who is are 's the one ones of these those them here please show me tell about "
                        "give find get i want need".split())
#: "Which" about the products shown ("which has …", "which one …", "which of these …"), not about the world ("which is
#: the tallest mountain").
WHICH_OF_SHOWN = re.compile(r"\s*(so\s+|and\s+|ok\s+|okay\s+)?wh?ich\s+(one|ones|of\s+(these|those|them)|has|have|lasts?|runs?|"
                            r"weighs?|holds?|comes?|fits?)\b")
PRICE_QUESTION = re.compile(r"\bhow\s+much\b|\bwhat('s|\s+is|\s+would|\s+does)\s+(be\s+)?(the\s+)?(price|cost|total)\b|"
                            r"\bcost\b|\bprice\b")
PRICE_QUESTION_ZH = re.compile(r"多少钱|多少元|几块|什么价|价格|价钱|售价|一共|总共|总价")
#: Asking for the cart or a comparison, not for a price ("add two of the first", 加两台到购物车).
CART_WORDS = re.compile(r"\b(add|buy|cart|compare)\b|加入|加到|购物车|下单|结算|对比|比较")
#: An elliptical follow-up: "what about the third?", "and the zenith?", "same for the second one".
FOLLOW_UP = re.compile(r"^\s*(and|what\s+about|how\s+about|same\s+(question\s+)?for)\s+(?P<rest>.+?)[\s?]*$", re.I)
#: In Chinese: 第三个呢？, 那最后一个呢, 第二款呢.
FOLLOW_UP_ZH = re.compile(r"^\s*(那|那么)?(第[一二三四五六七八九十\d]+|最后(一|那)?)[个款件台双只条把]?呢[？?。\s]*$")
#: A Chinese follow-up that names a topic: 续航呢, 那重量呢 (after 哪个吸力最大).
FOLLOW_UP_TOPIC_ZH = re.compile(r"^\s*(那|那么)?(?P<rest>[^，。？?\s]{1,8}?)呢[？?。\s]*$")
#: The best of a product field, asked in Chinese.
_SUPERLATIVE_ZH = {"price": "哪个最便宜", "rating": "哪个评分最高", "reviews": "哪个评价最多", "stock": "哪个库存最多"}
#: A bare attribute of one product named by reference: "rise of the second one?", "storage of the third one?" (not a
#: count or an amount, "two of the first one", nor a question in words, "how long is the warranty of the first one").
ATTRIBUTE_OF_ONE = re.compile(r"^\s*(?:and\s+|so\s+|ok\s+)?(?:the\s+)?(?!(?:one|two|three|four|five|\d+|more|some|another|all|both|"
                              r"none|any|each|half|how|what|which|who|when|where|why|is|are|does|do|can|could|will|would|should)\b)"
                              r"[a-z][a-z -]{1,30}?\s+of\s+(?:the\s+)?(?:first|second|third|fourth|fifth|last|"
                              r"\d+(?:st|nd|rd|th)|this|that)(?:\s+one)?\s*\??\s*$")
#: A wh-question ("what colours does the weaker one come in?", "how much is the cheapest?").
WH_QUESTION = re.compile(r"\s*(so\s+|and\s+|ok\s+)?(what|how|wh?ich|where|when|who)\b")  # "wich": a common typo
#: A yes/no question, perhaps after the product it is about: "do you have the third one in blue", "the first one, is it
#: an ice maker?".
YES_NO_ABOUT_REFERENCE = re.compile(r"\s*(so\s+|and\s+|ok\s+)?(the\s+\w+(\s+one)?\s*,\s*)?"
                                    r"(do\s+you\s+have|does|do|is|are|has|have|can\s+i\s+get)\b")


def compare(dm: DialogueManager, turn: Turn) -> ReplyPlan:
    resolution = dm.resolve(turn, default_focus=False)
    if resolution.problem:
        facts = ClarificationFacts(slot="reference", question=resolution.problem, **resolution.out_of_range())
        return turn.plan("ask_clarification", facts=facts, quick_replies=["Compare the first two"])
    ids = resolution.product_ids or resolution.ambiguous
    shown = turn.state.last_shown
    if not ids and len(shown) == 2:
        ids = list(shown)
    if not ids and (compared := in_view(turn.state)) != shown:
        ids = list(compared)  # "what's the difference in power?" right after "compare the first two": those two
    if len(ids) == 1 and turn.state.focus and turn.state.focus not in ids:
        ids = [turn.state.focus, *ids]
    if len(ids) < 2:
        if len(shown) < 2:
            only = dm.product(shown[0]) if shown else None
            question_text = (f"I’ve shown you only one product so far, the {only.title}. Search for more and I’ll line them up."
                             if only is not None else "Which products should I compare? Search for something first and I’ll line them up.")
            return turn.plan("ask_clarification", facts=ClarificationFacts(slot="reference", question=question_text))
        options = ["the first two", "the first three"] + (["all of them"] if len(shown) <= MAX_COMPARE else [])
        return turn.plan("ask_clarification", facts=ClarificationFacts(slot="reference", question="Which ones should I compare?", options=options),
                         quick_replies=[f"Compare {o}" for o in options])
    products = [p for pid in ids[:MAX_COMPARE] if (p := dm.product(pid))]
    table = compare_products(products)
    cards = [ProductCard.from_hit(shown.index(p.id) + 1 if p.id in shown else i + 1, ProductHit(product=p, score=0.0)) for i, p in enumerate(products)]
    names = pick_names(products, [card.position for card in cards])
    return turn.plan("compare", comparison=table, products=cards, facts=CompareFacts(count=len(products), truncated=len(ids) > MAX_COMPARE),
                     quick_replies=[f"Add the {name} one to my cart" for name in names[:2]])


def question(dm: DialogueManager, turn: Turn) -> ReplyPlan:
    """A question about products on screen or in focus, answered from catalog facts (``dialogue.qa``): a look-up or
    yes/no about one product, a superlative or filter over the shown ones, a pairwise comparison of two, reviews.
    A question that names other products than those in focus searches for them instead."""
    explicit = dm.resolve(turn, default_focus=False)
    asked = read_question(turn.text, references=len(explicit.product_ids))
    if asked.kind == "yes_no" and len(explicit.product_ids) >= 3:  # "are all of them waterproof?": which of them are
        asked = asked.model_copy(update={"kind": "filter"})
    if asked.kind not in ("superlative", "pairwise", "filter") and _names_other_products(dm, turn, explicit):
        from dialogue.handlers.shopping import search

        return search(dm, turn)
    ranking = any(r.kind in ("cheapest", "priciest", "graded") for r in turn.nlu.slots.references)  # "the lighter one"
    about_text = turn.text
    if ranking and asked.kind in ("superlative", "pairwise") and (about := _about_the_ranked(turn.text)) is not None:
        if explicit.problem:  # "is the lighter one waterproof?" where the catalog cannot tell which one is lighter
            return _which_one(dm, turn, explicit.model_copy(update={"ambiguous": []}))
        (asked, about_text), ranking = about, False  # "what sizes does the cheapest come in": about that product
    if asked.kind in ("superlative", "filter") and (len(explicit.product_ids) != 1 or ranking):
        pool = explicit.product_ids if len(explicit.product_ids) >= 2 else in_view(turn.state)  # "of these", or those in view
        shown = [p for pid in pool if (p := dm.product(pid))]
        if len(shown) >= 2:
            plan = _answer_plan(dm, turn, asked, shown)
            if asked.kind == "superlative" and plan.products and plan.facts_as(AnswerFacts).known:
                dm.focus(turn, plan.products[0].product_id)  # "which is the cheapest?" then "add it": the one named
            return plan
    if asked.kind == "pairwise" and len(explicit.product_ids) >= 2:
        return _answer_plan(dm, turn, asked, [p for pid in explicit.product_ids if (p := dm.product(pid))])
    resolution = explicit if explicit.product_ids else dm.resolve(turn)
    if resolution.problem or (not resolution.product_ids and resolution.ambiguous):
        return _which_one(dm, turn, resolution)
    if not resolution.product_ids:
        if len(turn.state.last_shown) > 1:
            return _which_one(dm, turn, Resolution(ambiguous=turn.state.last_shown[:4]))
        return turn.plan("answer_question", facts=AnswerFacts(known=False, reason="no_product", facts=[]))
    product = dm.product(resolution.product_ids[0])
    if product is None:
        return turn.plan("answer_question", facts=AnswerFacts(known=False, reason="no_product", facts=[]))
    if asked.kind in ("superlative", "pairwise", "filter"):  # "which is cheaper" about one product: what it costs
        asked = asked.model_copy(update={"kind": "lookup"})
    if asked.kind == "lookup" and any(r.kind == "name" for r in turn.nlu.slots.references) and \
            overview_name(turn.text) is not None:
        asked = asked.model_copy(update={"kind": "overview"})  # "tell me more about the Corvane Arc"
    dm.focus(turn, product.id)
    turn.emit(FeedbackEvent(feedback=FeedbackRecord(turn=turn.state.turn_count, product_id=product.id, kind="opened", source="behaviour", detail="asked about it")))
    plan = _answer_plan(dm, turn, asked, [product], about_text)
    answered = plan.facts_as(AnswerFacts)
    if not (answered.known and _TERMS_FIELD.search(answered.topic or "")) and (terms := service.terms_for_product(dm, turn, product)) is not None:
        return terms  # "how long is the warranty on it?" where the catalog lists none (not its length): the shop's warranty
    return plan


#: A catalog field that gives a product's own terms (a "warranty" attribute), which answers before the shop's policy.
_TERMS_FIELD = re.compile(r"(?i)warrant|guarant|return|保修|质保|保固|退")


def _about_the_ranked(text: str) -> tuple[Question, str] | None:
    """The question asked about "the cheapest" or "the lighter one" ("what sizes does the cheapest come in", "is the
    lighter one waterproof", 最便宜的那个有货吗), with the message less the reference; None when the message only asks
    which one that is ("which is the cheapest?", 最便宜的是哪个)."""
    rest = text.lower()
    if detect_language(rest) == "zh":
        for pattern in RANKING_REFERENCES_ZH:
            rest = pattern.sub(" ", rest)
        if not _ONLY_WHICH_ZH.sub("", rest):
            return None
    else:
        for pattern, _ in RANKING_REFERENCES:  # the phrase the slots read as the reference
            rest = pattern.sub(" ", rest)
        words = re.findall(r"[a-z']+", rest)
        asked = [w for w in words if w not in _ONLY_WHICH]
        if not asked or (asked == words[:1] and len(words) <= 4):  # only asks which, perhaps misspelt ("wich one is …")
            return None
    about = read_question(rest, references=1)
    return (about, rest) if about.kind not in ("superlative", "pairwise", "filter") else None


def follows_up_a_question(dm: DialogueManager, turn: Turn) -> bool:
    """"How much ram does the first have?" … "what about the third?" / "and the zenith?": the same question about
    another product in view (by position, or by name: then the name becomes the turn's reference)."""
    state, references = turn.state, turn.nlu.slots.references
    in_chinese = FOLLOW_UP_ZH.match(turn.text) is not None
    said = None if in_chinese else FOLLOW_UP.match(turn.text)
    if not (in_chinese or said) or not state.last_shown or CART_WORDS.search(turn.text.lower()) or _question_followed(turn) is None:
        return False
    name = named_words(said["rest"]) if said else None
    if references or in_chinese:
        return name is None and len(references) == 1 and references[0].kind in ("ordinal", "last")
    return _refers_by_name(dm, turn, name)


def asks_about_one(turn: Turn) -> bool:
    """"Tell me about the second one", "how much ram does the third have": a question about one product by reference,
    not a bare "the second one" (which may answer "which ones should I compare?")."""
    return len(turn.nlu.slots.references) == 1 and named_words(turn.text) is not None


def _refers_by_name(dm: DialogueManager, turn: Turn, name: str | None) -> bool:
    """Whether ``name`` names a product in view; if so it becomes the turn's reference, so that the question is
    about that product (not the one in focus)."""
    if name is None or not resolve([ReferenceSpec(kind="name", value=name)], turn.state, dm.products).product_ids:
        return False
    turn.nlu.slots.references.append(Reference(kind="name", value=name))
    return True


def _question_followed(turn: Turn) -> TurnRecord | None:
    """The look-up or yes/no question the latest turns answered, past the follow-ups that repeated it."""
    for record in reversed(turn.state.turns):
        if record.action != "answer_question":
            return None
        if not (FOLLOW_UP.match(record.text) or FOLLOW_UP_ZH.match(record.text)):
            return record if read_question(record.text).kind in ("lookup", "yes_no") else None
    return None


def question_again(dm: DialogueManager, turn: Turn, previous: TurnRecord | None = None) -> ReplyPlan:
    """An earlier question asked again about the product this turn points at: the one the latest turns answered
    (:func:`follows_up_a_question`), or ``previous``, the one that got "which one do you mean?"."""
    from dialogue.manager import Turn

    previous = previous or _question_followed(turn)
    assert previous is not None, "routed here by follows_up_a_question"
    slots = Slots.model_validate(previous.slots).model_copy(update={"references": turn.nlu.slots.references})
    again = Turn(nlu=turn.nlu.model_copy(update={"text": previous.text, "slots": slots}), state=turn.state, events=turn.events)
    return question(dm, again).model_copy(update={"user_text": turn.text})


#: A message that asks something of its own ("is the second one waterproof?", 第二个多少钱), not only which one.
_ASKS_ITSELF = re.compile(r"[?？]|^\s*(?:is|are|does|do|did|can|could|will|would|how|what|which|who|where|when|why|has|have)\b|"
                          r"吗|呢|多少|怎么|几|哪", re.IGNORECASE)


#: What a bare answer to "which one?" may say beside its reference ("the second one please", 第二个吧).
_BARE_ANSWER = re.compile(r"\b(?:the|one|ones|please|pls|i\s+mean|that|this|ok|okay)\b|[个款件台只双的吧呀啊哦嗯就是那这]")


def only_points(turn: Turn) -> bool:
    """Whether the message says nothing but which product ("the second one", 第二个)."""
    return not re.search(r"\w", _BARE_ANSWER.sub(" ", turn.nlu.search_text.lower()))


def answers_which_one(turn: Turn) -> TurnRecord | None:
    """The question that got "which one do you mean?" when this message only answers it ("the second one", 第二个), or
    None. Whatever the classifier called the answer (a CI-trained model read 第二个 as a comparison)."""
    state = turn.state
    asked = state.turns[-1] if state.turns else None
    if asked is None or asked.action != "ask_clarification" or asked.asked not in (None, "reference") or _ASKS_ITSELF.search(turn.text):
        return None
    if not only_points(turn):
        return None  # "add the second one": more than an answer
    return asked if read_question(asked.text).kind in ("lookup", "yes_no", "reviews") else None


_THEY = re.compile(r"\b(?:they|them|their)\b", re.IGNORECASE)


def asks_about_a_pair(dm: DialogueManager, turn: Turn) -> bool:
    """"are they waterproof?", "what colours do they come in?" about the running shoes in focus: one product that is
    "they" (its title names a plural), not a comparison, whatever the classifier made of "they"."""
    focus = dm.product(turn.state.focus) if turn.state.focus else None
    return focus is not None and names_a_plural(focus.title) and _THEY.search(turn.text) is not None \
        and not turn.nlu.slots.references and read_question(turn.text).kind in ("lookup", "yes_no")


def asks_about_all_shown(turn: Turn) -> bool:
    """"Do they come in pink?", "are they waterproof?" with products shown and none in focus: a yes/no question about
    every product in view (as "do any of them …"), not "which one do you mean?" ("they should be waterproof", "they
    need to be under $100" ask for others). Marks them as the question's references."""
    state, slots = turn.state, turn.nlu.slots
    if state.focus or not state.last_shown or slots.references or slots.category or slots.price_min is not None \
            or slots.price_max is not None or _THEY.search(turn.text) is None or read_question(turn.text).kind != "yes_no":
        return False
    slots.references = [Reference(kind="all")]
    return True


def superlative_followed_up(dm: DialogueManager, turn: Turn) -> str | None:
    """"Which is the cheapest?" … "what about battery life?" (哪个吸力最大 … 续航呢): the attribute of the products in view
    that a follow-up of a superlative names (the same kind of question about it), or None."""
    said = FOLLOW_UP.match(turn.text) or FOLLOW_UP_TOPIC_ZH.match(turn.text)
    state = turn.state
    if said is None or turn.nlu.slots.references or not state.last_shown:
        return None
    for record in reversed(state.turns):  # past the follow-ups that repeated it ("and weight?", 重量呢)
        if record.action != "answer_question":
            return None
        if not (FOLLOW_UP.match(record.text) or FOLLOW_UP_TOPIC_ZH.match(record.text)):
            break
    else:
        return None
    if read_question(record.text).kind != "superlative":
        return None
    keys = {k for pid in state.last_shown if (p := dm.product(pid)) for k in p.attributes}
    if turn.nlu.language == "zh":
        return match_zh(said["rest"].lower(), sorted(keys, key=len, reverse=True))
    return AttributeMatcher(keys).named(said["rest"])


def superlative_again(dm: DialogueManager, turn: Turn, attribute: str) -> ReplyPlan:
    """The follow-up of a superlative asked as one about the ``attribute`` it names (:func:`superlative_followed_up`):
    the best of it (the least, for a price, a noise level or a weight)."""
    from dialogue.manager import Turn

    if turn.nlu.language == "zh":
        text = _SUPERLATIVE_ZH.get(attribute) or f"哪个{attribute}{'最低' if LESS_IS_BETTER.search(attribute) else '最高'}"
    else:
        text = f"which has the best {attribute}"
    again = Turn(nlu=turn.nlu.model_copy(update={"text": text}), state=turn.state, events=turn.events)
    return question(dm, again).model_copy(update={"user_text": turn.text})


def names_a_shown_product(dm: DialogueManager, turn: Turn) -> bool:
    """"Tell me more about the Corvane Arc", "what about the zenith?": a product in view asked after by its name."""
    if turn.nlu.language != "en" or not turn.state.last_shown or turn.nlu.slots.references or CART_WORDS.search(turn.text.lower()):
        return False
    return _refers_by_name(dm, turn, overview_name(turn.text))


def routes_to_question(turn: Turn) -> bool:
    """A yes/no question about a product by reference ("do you have the third one in blue"), or a superlative,
    comparative or filter over what was shown ("which one has the longest battery life", "which is cheaper, the first
    or the second", "which of these are under $50"): a product question whatever the classifier called it.
    Requests ("compare …", "show me cheaper ones", "add …") stay what they are."""
    if turn.state.last_shown and _asks_price_of_one(turn):
        return True  # "how much would two of the first cost?" (not a comparison of the first two), 第二款来三台一共多少钱
    if turn.nlu.language == "zh" and turn.state.last_shown and turn.nlu.intent in ROUTED_AS_QUESTION_ZH:
        return _routes_to_question_zh(turn)
    text = turn.text.lower()
    if turn.state.last_shown and turn.nlu.slots.references and ATTRIBUTE_OF_ONE.match(text) and not CART_WORDS.search(text):
        return True  # "rise of the second one?", "storage of the third one?": a look-up, whatever the classifier made of it
    remark = turn.nlu.intent in READ_AS_REMARKS and \
        (WH_QUESTION.match(text) is not None or bool(turn.nlu.slots.references) and only_points(turn))
    if not turn.state.last_shown or turn.nlu.intent not in ROUTED_AS_QUESTION | {"show_more"} and not remark:
        return False
    if _asks_overview(turn) and not CART_WORDS.search(text):
        return True  # "show me the second one", "tell me more about it": whatever the classifier made of it
    if turn.nlu.intent == "show_more":
        return False
    if turn.nlu.slots.references and YES_NO_ABOUT_REFERENCE.match(text) and not re.search(r"\b(add|buy|cart)\b", text):
        return True  # "do you have the third one in blue": a question, whatever the classifier made of it
    if turn.nlu.intent == "out_of_scope" or remark:  # "best rated?", "the lightest", "which has the longest battery life?"
        if turn.nlu.slots.references and WH_QUESTION.match(text) and not CART_WORDS.search(text):
            return True  # "what colours does the weaker one come in?": about a product shown
        kind = read_question(turn.text).kind
        return kind == "reviews" or (len(text.split()) <= 4 or WHICH_OF_SHOWN.match(text) is not None) and \
            kind in ("superlative", "filter")  # "what do people complain about?": the reviews of what is shown
    if re.search(r"\b(compare|comparison|show|find|search|look\s+for|got\s+any|add|buy|cart)\b", text) or \
            re.search(r"\b(some|any|one|me)\s+more\b|\bmore\s+(options|results|like)\b", text):
        return False
    asking = re.match(r"\s*(so\s+|and\s+|ok\s+|okay\s+)?(wh?ich|who|what(?!\s+about\b))\b", text) or \
        re.search(r"\bof\s+(these|those|them)\b", text)  # not "what about cheaper ones?": a request for more
    # "the quietest one?", "cheapest?", "best rated?" ask; "cheaper please" is a refinement
    short = len(text.split()) <= 4 and re.search(r"\b\w+est\b|\b(top|best|highest)\s+rated\b", text) is not None
    if turn.nlu.intent in ("refine", "search_product", "add_to_cart") and not (asking or short):
        return False
    return read_question(turn.text, len(turn.nlu.slots.references)).kind in ("superlative", "pairwise", "filter")


def _routes_to_question_zh(turn: Turn) -> bool:
    """Chinese, as in English: a superlative, pairwise comparison or filter over what was shown (哪个最便宜, 哪些有货,
    哪个是纯棉的; after 哪, when the classifier made it a refinement or search); or a question form (吗, A不A, 多少,
    怎么样) about a catalog attribute, reviews or a named colour / size / material, asked of a product by reference
    (第一个, 这款, 它) or of the product in focus (是纯棉的吗). Requests (对比一下, 加入购物车, 看看…) stay what they
    are, and so does "有XL码的吗" about no product in particular: a refinement."""
    text, slots, state = turn.text.lower(), turn.nlu.slots, turn.state
    if REQUEST_ZH.search(text):
        return False
    shape = read_question(turn.text, len(slots.references))
    if shape.kind in ("superlative", "pairwise", "filter"):
        return turn.nlu.intent not in ASKS_FOR_PRODUCTS_ZH or WHICH_ZH.search(text) is not None
    if _asks_overview(turn):
        return True  # 介绍一下第二个, 这款详细说说
    if turn.nlu.intent in ("ask_product_question", "show_more"):
        return False  # on its way there already, or a wish for more
    focused = state.focus is not None and state.focus in state.last_shown
    if not (slots.references or focused) or not QUESTION_FORM_ZH.search(text):
        return False
    if not slots.references and OTHER_ONES_ZH.match(text):
        return False
    if shape.kind == "yes_no" and turn.nlu.intent == "compare" and len(slots.references) == 1:
        return True  # 贵的那个是嵌入式的吗: a yes/no question about one product, no comparison of two
    return bool(names_topic_zh(text) or REVIEWS_ZH.search(text) or slots.sizes or slots.colors or slots.materials or slots.brands)


def _asks_overview(turn: Turn) -> bool:
    """Everything about one product, by reference or in focus: "tell me more about the second one", 介绍一下这款."""
    state = turn.state
    return read_question(turn.text, len(turn.nlu.slots.references)).kind == "overview" and \
        bool(turn.nlu.slots.references or (state.focus and state.focus in state.last_shown))


def _asks_price_of_one(turn: Turn) -> bool:
    """"How much is the second one", "what would three of it cost": the price of one product by reference."""
    references, text = turn.nlu.slots.references, turn.text.lower()
    if len(references) != 1 or references[0].kind not in ("ordinal", "last", "focus") or CART_WORDS.search(text):
        return False
    return PRICE_QUESTION.search(text) is not None or PRICE_QUESTION_ZH.search(text) is not None


#: Grades a refinement may not go beyond the shown products on: price ("cheaper") has its own reading; ratings and stock
#: are no product measure ("better ones" re-ranks).
_NOT_MEASURES = frozenset({"price", "rating", "reviews", "stock"})


def beyond_the_shown(dm: DialogueManager, turn: Turn, goal: Goal) -> Goal | ReplyPlan | None:
    """"Something lighter", "quieter ones", "any with a longer battery life?": the goal kept to the catalog's values
    beyond the best of the products in view on that measure (the lightest shown weighs 1.4 kg: lighter ones only). When
    the catalog lists the measure for none of them, or nothing in the category goes beyond them, the answer about
    those in view instead ("The catalog doesn't list the weight of these products.", "Lightest: …"). None when the
    message grades nothing, grades by price or rating, names a product ("the lighter one") or an amount ("at least 12
    hours"), or asks for a bigger size ("a bigger size", "a bigger one" of dog beds sold in S, M and L: sizes are no
    measure)."""
    asked = read_question(turn.text)
    if asked.kind != "superlative" and turn.nlu.language == "zh" and (graded := graded_zh(turn.text.lower())) is not None:
        cue, direction, said = graded  # 有没有更安静的, 屏幕大一点的: a request, not a question about those in view
        asked = Question(kind="superlative", direction=direction, cue=cue, words=asked.words, said=said)
    category = goal.constraints.category
    if asked.kind != "superlative" or asked.cue in _NOT_MEASURES or turn.nlu.slots.references or not category \
            or re.search(r"\d", turn.text):  # "with at least 12 hours of battery" says its own bound
        return None
    shown = [p for pid in in_view(turn.state) if (p := dm.product(pid))]
    if not shown:
        return None
    plan = _answer_plan(dm, turn, asked, shown)
    facts = plan.facts_as(AnswerFacts)
    attribute = facts.topic
    if attribute == "size" or (not facts.known and asked.cue in (None, "big")):
        return None  # "a bigger size", "a bigger one" of dog beds (S, M, L): no measure to go beyond
    if not facts.known or attribute is None or attribute in _NOT_MEASURES:
        return plan
    best = [q for p in shown if (q := quantity_of(p, attribute)) is not None]
    if not best:
        return plan
    family = best[0].family
    lower = LESS_IS_BETTER.search(attribute) is not None if asked.direction is None else asked.direction == "min"
    edge = (min if lower else max)(q.value for q in best if q.family == family)
    values = dm.products.facets().values_by_level(attribute).get(category, set())
    beyond = sorted(v for v in values if (q := parse_quantity(v)) is not None and q.family == family
                    and (q.value < edge if lower else q.value > edge))
    if not beyond:
        return plan  # none goes beyond: which of those in view is best on it
    log.info("refine.beyond_the_shown attribute=%r edge=%s values=%d", attribute, edge, len(beyond))
    return goal.model_copy(update={"constraints": goal.constraints.model_copy(
        update={"attributes_in": {**goal.constraints.attributes_in, attribute: beyond}})})


def _answer_plan(dm: DialogueManager, turn: Turn, asked: Question, products: list[Product], text: str | None = None) -> ReplyPlan:
    """The answer to ``asked`` about ``products``, read from ``text`` (the message, or what it asks of a product it
    ranks: "is the lighter one waterproof" → "is waterproof")."""
    slots = turn.nlu.slots
    kinds = {p.category[-1] for p in products if p.category}
    features = dm.features.named(turn.text, kinds.pop()).wanted if len(kinds) == 1 else {}
    mentioned = Mentioned(colors=slots.colors, sizes=slots.sizes, materials=slots.materials, brands=slots.brands,
                          price_min=slots.price_min, price_max=slots.price_max, quantity=slots.quantity, features=features)
    known_keys = {k for pid in turn.state.last_shown if (p := dm.product(pid)) for k in p.attributes}
    in_sight = [p for pid in in_view(turn.state) if (p := dm.product(pid))] if asked.kind == "yes_no" else []
    result = answer_question(asked, text or turn.text, products, mentioned, embed=dm.products.embed_query, known_keys=known_keys,
                             others=in_sight)
    by_id = {p.id: p for p in [*products, *in_sight]}
    cards = [ProductCard.from_hit(_position(turn, pid), ProductHit(product=by_id[pid], score=0.0))
             for pid in result.product_ids[:MAX_ANSWER_CARDS] if pid in by_id]
    title = products[0].title if len(products) == 1 else None
    facts = AnswerFacts(known=result.known, kind=result.kind, topic=result.attribute, facts=result.sentences, title=title, verdict=result.verdict,
                        unchecked=result.unchecked)
    if turn.nlu.language != "en" and result.details:  # the sentences are English: the reply words the values itself
        facts.details = result.details
    picked = result.kind == "overview" and products[0].in_stock  # "tell me more about it", "the second one": offer it
    return turn.plan("answer_question", products=cards, facts=facts, quick_replies=["Add it to my cart"] if picked else [])


def _names_other_products(dm: DialogueManager, turn: Turn, explicit: Resolution) -> bool:
    """"Is the Glowix lamp any good" while shoes are in focus: the message names a brand or category that none of
    the products it could be about has (and refers to none of them by position or pronoun)."""
    slots = turn.nlu.slots
    if explicit.product_ids or slots.references or not (slots.brands or slots.category):
        return False
    candidates = [p for pid in ([turn.state.focus] if turn.state.focus else []) + turn.state.last_shown if (p := dm.product(pid))]
    if not candidates:
        return True
    brands = {b.lower() for b in slots.brands}
    fits = [p for p in candidates if (not brands or (p.brand or "").lower() in brands)
            and (slots.category is None or p.in_category(slots.category))]
    return not fits


def _which_one(dm: DialogueManager, turn: Turn, resolution: Resolution) -> ReplyPlan:
    titles = [p.title for pid in resolution.ambiguous if (p := dm.product(pid))]
    facts = ClarificationFacts(slot="reference", question=resolution.problem or "Which one do you mean?", options=titles,
                               **resolution.out_of_range())
    return turn.plan("ask_clarification", facts=facts, quick_replies=titles[:4])


def _position(turn: Turn, product_id: str) -> int:
    shown = turn.state.last_shown
    return shown.index(product_id) + 1 if product_id in shown else 1
