"""Claim-level checks of a model's sentences against the reply plan, and what of the template reply is still unsaid.

A model may only *rephrase* the template reply. Each sentence it writes is judged on its own, before it is shown:

- **facts** (``grounding.Grounder``): every price, percentage, figure, stock claim, policy keyword and product-like
  name comes from the plan;
- **support**: at least ``llm_claim_support`` of its content words (stemmed, stop words aside) come from the plan,
  the template reply or a short list of connective phrasing ("happy to help", "let me know", "options"). Every word
  of "the return policy is a matter of personal discretion" may sit in a policy text somewhere, but "matter",
  "personal" and "discretion" are not in this plan, so the sentence is not shown;
- **evaluation**: comparative, superlative and absolute words ("best", "quieter", "only", "limited", "free",
  "always", "never", "recommend") are allowed only when the plan or the template reply says them;
- **degenerate text**: a sentence that repeats an earlier one (or loops inside itself), a greeting after the first
  turn, a question the template reply does not ask, a refusal or a doubt ("I'm not sure") the template reply does not
  voice, or an echo of the instructions.

:class:`TemplateRemainder` tells which parts of the template reply the shown sentences have not said yet, so a reply
cut at the deadline (or thinned by rejections) still carries every fact.

Chinese sentences (split at 。！？) get the same checks: their content is compared as character bigrams (Chinese has no
spaces between words), with Chinese connectives (``CONNECTIVES_ZH``), evaluative words (``EVALUATIVE_ZH``, 最…/更…),
greetings, refusals and counts ("3款", "三款").
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from functools import lru_cache

import Stemmer
from pydantic import BaseModel

from assistant.generators import zh_text
from assistant.generators.grounding import Grounder, chinese_amounts
from assistant.generators.template import card_line
from dialogue.plan import ReplyPlan

_WORD = re.compile(r"[a-z][a-z'’-]*")
_SENTENCE = re.compile(r"(?<=[.!?])[ \t]+|\s*\n\s*|(?<=[。！？])(?![”’」』）)])[ \t]*|(?<=[。！？][”’」』）)])[ \t]*")
#: A numbered list item's marker, which ends in a full stop but ends no sentence.
LIST_MARKER = re.compile(r"\d{1,2}[.)]")
_MONEY_VALUE = re.compile(r"[$€£¥￥]\s?(\d[\d,]*(?:\.\d+)?)")
_TITLE_RUN = re.compile(r"(?:[A-Z][\w'’&+.-]*\s+){1,}[A-Z0-9][\w'’&+.-]*")
_GREETING = re.compile(r"^\W*(?:hi|hello|hey|greetings|welcome|good (?:morning|afternoon|evening))\b|\bi(?:'m| am) shopassist\b", re.I)
_GREETING_ZH = re.compile(r"^\W*(?:您好|你好|嗨|哈喽|亲[，,！!]|欢迎光临)|我是\s?shopassist", re.I)
#: "the quietest", "quieter than", "more reliable than": a comparison the plan must make itself.
_COMPARISON = re.compile(r"\b(?:the|a|our)\s+(\w+est)\b|\b(\w+er)\s+than\b|\b(?:more|less)\s+(\w+)\s+than\b", re.I)
#: Phrases whose evaluative-looking word makes no claim.
#: Apologies and refusals: true only when the template reply apologises or refuses too.
_REFUSAL = re.compile(r"\b(?:sorry|apolog\w*|can't|cannot|can not|unable|not able|just an? (?:\w+ )?assistant)\b", re.I)
_REFUSAL_ZH = re.compile(r"抱歉|对不起|不好意思|无法|没办法|帮不上|做不到")
#: The assistant doubting itself ("I'm not sure what I'm doing", "maybe", "I think"): true only when the template
#: reply says it does not know too. A hedge states no fact, but it undermines the facts around it.
_HEDGE = re.compile(r"\b(?:not (?:sure|certain)|(?:don't|do not|doesn't|does not) know|no idea|unsure|uncertain|"
                    r"i (?:think|guess|believe|suppose)|maybe|perhaps|probably|what i'm doing)\b", re.I)
_HEDGE_ZH = re.compile(r"不确定|不知道|不清楚|也许|大概|或许|我觉得|我猜")
_LIST_LINE = re.compile(r"^\s*(?:(\d{1,2})[.)]|[-*•])\s+(.+)$")
_COUNT = re.compile(r"\b(\d+)\s+(?:\S+\s+){0,3}?(?:options?|products?|results?|items?|choices?|picks?|matches?|models?)\b", re.I)
_COUNT_ZH = re.compile(rf"(?<![第零〇一二两三四五六七八九十百千万亿.,\d])({zh_text.AMOUNT})\s?(?:款|个(?:商品|产品|结果|选项|选择)|种(?:选择|商品|产品)?|件商品)")
#: "-er"/"-est" words that compare nothing ("other than", "the rest").
_NOT_COMPARISONS = frozenset({"other", "rather", "order", "number", "under", "after", "ever", "over", "never", "whether", "rest",
                              "request", "interest", "test", "guest", "suggest", "latest"})
_IDIOMS = re.compile(r"\bfeel free\b|\bfree to\b|\bonly if\b|\bif you(?:'d| would)? like\b|\bthe best way\b", re.I)

STOP_WORDS = frozenset("""
a about above after again all also am an and any are aren't as at be been before being below between both but by can
can't could did do does doing don't down during each few for from further had has have having he her here hers him
his how i i'd i'll i'm i've if in into is isn't it it's its itself just let's me more my myself no nor not now of off
on once or other our ours out over own same she should so some such than that that's the their them then there
these they this those through to too under until up us very was we we'd we'll we're we've were what when where which
while who whom why will with won't would you you'd you'll you're you've your yours yourself
""".split())

#: Words a faithful rephrasing may add without stating a fact.
CONNECTIVES = frozenset("""
hello hey feel sorry apologies apologize confusion whatever respond reply shortly soon help helps helping happy glad sure course certainly absolutely okay ok alright let know like love want wants need needs
look looking looks find found finding option options choice choices pick picks selection here there check see take
show shows showing list listed anything everything something else today question questions assist assistance
interested consider explore browse detail details information info item items product products hope thing things
please thanks thank welcome ask asking tell telling say saying give get got go going come next right now done ready
shop shopping store assistant shopassist way ways time moment little bit quick quickly also just really one ones
first second third fourth fifth last following below above match matches matching fit fits suit suits offer offers
available range few several many couple number whether which either would could might may can will shall must
add added adding cart item's let's you'd you're here's that's there's what's it's i'd i'll i've we've
""".split())

#: Claims of quality, rank, scarcity, price or permanence: allowed only when the plan or the template reply says them.
EVALUATIVE = frozenset("""
best better worst worse cheapest cheaper lowest highest most least fastest slowest quietest quieter louder loudest
largest smaller smallest bigger biggest lighter lightest newest latest top popular bestseller bestselling favourite
favorite recommend recommended recommendation ideal perfect perfectly excellent amazing outstanding superb fantastic
awesome incredible exceptional superior premium luxury affordable budget-friendly bargain deal deals sale cheap
reliable durable high-quality quality guaranteed guarantee guarantees only limited exclusive unique free always never
forever instantly immediately definitely must-have value worth great
""".split())


#: Chinese words a faithful rephrasing may add without stating a fact (compared as their character bigrams).
CONNECTIVES_ZH = """
您好 你好 亲 好的 好嘞 当然 没问题 可以 为您 给您 帮您 替您 您 您的 我 我们 我来 这里 这边 这些 那些 以下 如下 下面 上面 这款 那款
这个 那个 一下 看看 看一下 找到 找了 挑了 选择 选项 商品 产品 款式 如果 需要 的话 请 请问 告诉 还有 其他 别的 什么 随时 欢迎
谢谢 感谢 希望 帮助 帮忙 有 是 的 了 吗 呢 吧 哦 呀 啦 和 与 及 以及 或者 还是 也 都 就 还 很 已经 现在 目前 一起 接下来 然后
另外 此外 总共 一共 共 个 件 款 为 在 把 给 让 对 从 到 里 中 分别 如下所示 供您参考 参考 了解 知道 想要 想 要 合适 满意 喜欢
售价 价格 价钱 评分 星 只要 仅需 的话 或 而且 并且 但是 不过 因为 所以 如 例如 比如 包括 美元 人民币 元 块
"""
#: Characters that carry no content: a bigram of only these is not compared.
STOP_CHARS_ZH = frozenset("的了吗呢吧啊哦呀啦和与及或也都就还很是在有把给对从到为个件款请您我你它他她们这那些么")
#: Chinese claims of quality, rank, scarcity, price or permanence: allowed only when the plan or the template says them.
EVALUATIVE_ZH = ("推荐", "力荐", "性价比", "超值", "划算", "实惠", "便宜", "爆款", "热销", "畅销", "人气", "限量", "独家", "正品",
                 "保证", "一定", "绝对", "永远", "永久", "从不", "免费", "唯一", "完美", "优质", "高端", "奢华", "顶级", "好评", "物美价廉",
                 "放心", "靠谱", "耐用", "质量好")
#: "最便宜", "更安静": a superlative or comparative the plan must make itself (but "最近", "更多" compare nothing).
_COMPARISON_ZH = re.compile(f"[最更][{zh_text.CJK}]")
_NOT_COMPARISONS_ZH = frozenset({"最近", "最后", "更多", "更新", "更换", "更改", "更正"})


class ClaimProblem(BaseModel):
    kind: str
    text: str


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


def words(text: str) -> list[str]:
    return [w.strip("'’-") for w in _WORD.findall(text.lower().replace("’", "'")) if w.strip("'’-")]


def stems(tokens: list[str]) -> set[str]:
    return set(_stemmer().stemWords(tokens))


def _zh_content(text: str) -> list[str]:
    """The Chinese content of ``text``: its character bigrams, less those made only of function characters."""
    return [b for b in zh_text.bigrams(text) if not all(ch in STOP_CHARS_ZH for ch in b)]


_CONNECTIVE_BIGRAMS_ZH = frozenset(b for phrase in CONNECTIVES_ZH.split() for b in zh_text.bigrams(phrase))
#: Characters a bigram may be made of without naming anything new: the connectives' and the numerals' (numbers are
#: checked on their own, by the grounding guard and the count check).
_CONNECTIVE_CHARS_ZH = frozenset("".join(CONNECTIVES_ZH.split())) | frozenset("零〇一二两三四五六七八九十百千万亿")


def _greets(text: str) -> bool:
    return bool(_GREETING.search(text) or _GREETING_ZH.search(text))


def _refuses(text: str) -> bool:
    return bool(_REFUSAL.search(text) or _REFUSAL_ZH.search(text))


def _hedges(text: str) -> bool:
    return bool(_HEDGE.search(text.replace("’", "'")) or _HEDGE_ZH.search(text))


def _counts(text: str) -> set[str]:
    """The counts of products a text states ("Here are 5 … options", "为您找到5款"), as digit strings."""
    found = {m.group(1) for m in _COUNT.finditer(text)}
    for m in _COUNT_ZH.finditer(text):
        value = zh_text.parse_amount(m.group(1))
        if value is not None:
            found.add(str(int(value)) if value == int(value) else str(value))
    return found


def split_sentences(text: str) -> list[str]:
    """Sentences and lines of ``text`` (a list item's "1." stays with its line), stripped, empty ones dropped."""
    out: list[str] = []
    for part in _SENTENCE.split(text):
        part = part.strip()
        if not part:
            continue
        if out and LIST_MARKER.fullmatch(out[-1]):
            out[-1] += " " + part
        else:
            out.append(part)
    return out


def _similar(a: list[str], b: list[str]) -> float:
    sa, sb = set(a), set(b)
    return len(sa & sb) / len(sa | sb) if sa and sb else 0.0


def _loops(tokens: list[str]) -> bool:
    """A word trigram three times or more in one sentence: the model is looping."""
    seen: dict[tuple[str, ...], int] = {}
    for i in range(len(tokens) - 2):
        key = tuple(tokens[i : i + 3])
        seen[key] = seen.get(key, 0) + 1
        if seen[key] >= 3:
            return True
    return False


class ClaimChecker:
    """Judges one plan's model sentences (see the module doc). ``first_turn``: the conversation has no history."""

    def __init__(self, plan: ReplyPlan, template: str, *, first_turn: bool, support: float = 0.85) -> None:
        self.plan, self.template, self.first_turn, self.support = plan, template, first_turn, support
        self.grounder = Grounder(plan, template)
        plan_text = " ".join([template, json.dumps(plan.model_dump(mode="json", exclude={"user_text", "language"}), ensure_ascii=False)])
        self.plan_text = plan_text
        self.plan_words = set(words(plan_text))
        self.plan_bigrams = set(zh_text.bigrams(plan_text))
        self.plan_chars = {ch for b in self.plan_bigrams for ch in b} | _CONNECTIVE_CHARS_ZH
        self.supported = stems(sorted(self.plan_words)) | stems(sorted(CONNECTIVES)) | CONNECTIVES
        self.asks = "?" in template or "？" in template
        # the template's list lines ("3. Title, Colour — $99.00, 4.5★") by their text, with their numbers
        self.list_lines: dict[str, str | None] = {}
        for line in [*template.splitlines(), *(card_line(card, plan.language) for card in plan.products)]:
            if match := _LIST_LINE.match(line):
                self.list_lines.setdefault(_normal(match.group(2)), match.group(1))
        self.template_sentences = {_normal(t) for t in split_sentences(template)}
        shown = {str(len(plan.products))} if plan.action == "show_products" and plan.products else set()
        self.counts = _counts(template) | shown  # "Here are 5 laptops": the cards are counted, whatever the template's noun

    def problems(self, sentence: str, earlier: Sequence[str] = ()) -> list[ClaimProblem]:
        tokens = words(sentence)
        chinese = zh_text.bigrams(sentence)  # empty for English sentences
        found: list[ClaimProblem] = []
        if any(_similar(tokens + chinese, words(e) + zh_text.bigrams(e)) >= 0.8 for e in earlier) or _loops(tokens + chinese):
            found.append(ClaimProblem(kind="repetition", text=sentence[:80]))
        if _normal(sentence) in self.template_sentences:  # copied from the template reply: its facts are the plan's
            return found
        found += [ClaimProblem(kind=v.kind, text=v.text) for v in self.grounder.check(sentence)]
        if not self.first_turn and self.plan.action != "greet" and _greets(sentence) and not _greets(self.template):
            found.append(ClaimProblem(kind="greeting", text=sentence[:80]))
        if sentence.rstrip().endswith(("?", "？")) and not self.asks:
            found.append(ClaimProblem(kind="unasked_question", text=sentence[:80]))
        found += self._evaluations(sentence)
        found += self._list_lines(sentence) + self._counts(sentence)
        if _refuses(sentence) and not _refuses(self.template):
            found.append(ClaimProblem(kind="refusal", text=sentence[:80]))
        if _hedges(sentence) and not _hedges(self.template):
            found.append(ClaimProblem(kind="hedge", text=sentence[:80]))
        unsupported = self._unsupported_words(tokens) + self._unsupported_bigrams(sentence)
        content = [t for t in tokens if t not in STOP_WORDS and len(t) > 2] + _zh_content(sentence)
        if content and 1 - len(unsupported) / len(content) < self.support:
            found.append(ClaimProblem(kind="unsupported_words", text=", ".join(unsupported[:6])))
        return found

    def _list_lines(self, sentence: str) -> list[ClaimProblem]:
        """A product line ("2. Title — $price, rating★", or any "— $" line) must be one of the template's lines, with
        its number: a model that re-lists changes positions, prices, ratings and names, or replays an earlier turn."""
        match = _LIST_LINE.match(sentence)
        if match is None and "— $" not in sentence and "— ¥" not in sentence:
            return []
        number, body = (match.group(1), match.group(2)) if match else (None, sentence)
        key = _normal(body)
        if key not in self.list_lines or (number is not None and self.list_lines[key] not in (None, number)):
            return [ClaimProblem(kind="list_line", text=sentence[:80])]
        return []

    def _counts(self, sentence: str) -> list[ClaimProblem]:
        """"Here are 5 … options": how many products there are is what the template reply says, not any number of the plan."""
        found = [ClaimProblem(kind="count", text=m.group(0)) for m in _COUNT.finditer(sentence) if m.group(1) not in self.counts]
        for m in _COUNT_ZH.finditer(sentence):
            if not _counts(m.group(0)) <= self.counts:
                found.append(ClaimProblem(kind="count", text=m.group(0)))
        return found

    def _evaluations(self, sentence: str) -> list[ClaimProblem]:
        plain = _IDIOMS.sub(" ", sentence)
        claimed = {t for t in words(plain) if t in EVALUATIVE}
        claimed |= {w.lower() for m in _COMPARISON.finditer(plain) for w in m.groups() if w and w.lower() not in _NOT_COMPARISONS}
        problems = [ClaimProblem(kind="evaluative", text=w) for w in sorted(claimed) if w not in self.plan_words]
        if zh_text.has_cjk(sentence):
            said = {w for w in EVALUATIVE_ZH if w in sentence}
            said |= {m.group(0) for m in _COMPARISON_ZH.finditer(sentence) if m.group(0) not in _NOT_COMPARISONS_ZH}
            problems += [ClaimProblem(kind="evaluative", text=w) for w in sorted(said) if w not in self.plan_text]
        return problems

    def _unsupported_bigrams(self, sentence: str) -> list[str]:
        """The Chinese content bigrams of the sentence that neither the plan nor the Chinese connectives hold, and
        whose characters are not both in them either (so "商品损坏或有缺陷" passes where the plan says "商品到货时损坏、有缺陷":
        a bigram across two words, "品损", is made of the plan's characters; "一律" is not)."""
        return [b for b in _zh_content(sentence)
                if b not in self.plan_bigrams and b not in _CONNECTIVE_BIGRAMS_ZH and not all(ch in self.plan_chars for ch in b)]

    def _unsupported_words(self, tokens: list[str]) -> list[str]:
        content = [t for t in tokens if t not in STOP_WORDS and len(t) > 2 and t != "free"]
        return [t for t, s in zip(content, _stemmer().stemWords(content)) if t not in self.plan_words and s not in self.supported]


def sentence_problems(sentence: str, plan: ReplyPlan, template: str, *, first_turn: bool, earlier: list[str]) -> list[str]:
    """The kinds of problem the guard finds in one model sentence (empty: the guard shows it)."""
    return [p.kind for p in ClaimChecker(plan, template, first_turn=first_turn).problems(sentence, earlier)]


class TemplateRemainder:
    """The template reply in units (its lines, and the sentences within a line); a unit is *said* once the shown text
    holds its prices, the first two words of any product title in it, and half of its content words."""

    def __init__(self, template: str) -> None:
        self.lines = [line for line in template.splitlines() if line.strip()]

    def unsaid(self, shown: str) -> str:
        if not shown.strip():
            return "\n".join(self.lines)
        said_words = stems(words(shown))
        said_money = {_amount(m) for m in _MONEY_VALUE.findall(shown)}
        said_bigrams = set(zh_text.bigrams(shown))
        if said_bigrams:  # "1299元", "一千二百九十九块" say ¥1,299.00 too
            said_money |= {round(v, 2) for v in chinese_amounts(shown)}
        lowered = " ".join(shown.lower().split())
        kept_lines: list[str] = []
        for line in self.lines:
            units = split_sentences(line) if not re.match(r"^\s*(?:\d+\.|[-*•])\s", line) else [line]
            rest = [u for u in units if not self._said(u, said_words, said_money, lowered, said_bigrams)]
            if rest:
                kept_lines.append(_join_units(rest) if len(rest) < len(units) else line)
        return "\n".join(kept_lines)

    @staticmethod
    def _said(unit: str, said_words: set[str], said_money: set[float], lowered: str, said_bigrams: set[str] | None = None) -> bool:
        if any(_amount(m) not in said_money for m in _MONEY_VALUE.findall(unit)):
            return False
        for run in _TITLE_RUN.findall(unit):
            head = " ".join(run.lower().split()[:2])
            if head not in lowered:
                return False
        content = [t for t in words(unit) if t not in STOP_WORDS and len(t) > 2]
        chinese = set(_zh_content(unit))
        if not content and not chinese:
            return True
        if not chinese:
            return len(stems(content) & said_words) / len(set(stems(content))) >= 0.5
        said = len(stems(content) & said_words) + len(chinese & (said_bigrams or set()))
        return said / (len(set(stems(content))) + len(chinese)) >= 0.5


def _join_units(units: list[str]) -> str:
    """Sentences of one line joined again: a space after an English one, none after a Chinese one (。！？)."""
    text = ""
    for unit in units:
        text += unit if not text or text.endswith(("。", "！", "？")) else " " + unit
    return text


def _normal(text: str) -> str:
    """A line compared with the template's: lower case, one kind of dash, single spaces."""
    return " ".join(text.lower().replace("–", "—").replace(" - ", " — ").split()).rstrip(" .")


def _amount(raw: str) -> float:
    return round(float(raw.replace(",", "")), 2)
