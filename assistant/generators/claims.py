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
  turn, a question the template reply does not ask, or an echo of the instructions.

:class:`TemplateRemainder` tells which parts of the template reply the shown sentences have not said yet, so a reply
cut at the deadline (or thinned by rejections) still carries every fact.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from functools import lru_cache

import Stemmer
from pydantic import BaseModel

from assistant.generators.grounding import Grounder
from assistant.generators.template import card_line
from dialogue.plan import ReplyPlan

_WORD = re.compile(r"[a-z][a-z'’-]*")
_SENTENCE = re.compile(r"(?<=[.!?])[ \t]+|\s*\n\s*")
#: A numbered list item's marker, which ends in a full stop but ends no sentence.
LIST_MARKER = re.compile(r"\d{1,2}[.)]")
_MONEY_VALUE = re.compile(r"[$€£]\s?(\d[\d,]*(?:\.\d+)?)")
_TITLE_RUN = re.compile(r"(?:[A-Z][\w'’&+.-]*\s+){1,}[A-Z0-9][\w'’&+.-]*")
_GREETING = re.compile(r"^\W*(?:hi|hello|hey|greetings|welcome|good (?:morning|afternoon|evening))\b|\bi(?:'m| am) shopassist\b", re.I)
#: "the quietest", "quieter than", "more reliable than": a comparison the plan must make itself.
_COMPARISON = re.compile(r"\b(?:the|a|our)\s+(\w+est)\b|\b(\w+er)\s+than\b|\b(?:more|less)\s+(\w+)\s+than\b", re.I)
#: Phrases whose evaluative-looking word makes no claim.
#: Apologies and refusals: true only when the template reply apologises or refuses too.
_REFUSAL = re.compile(r"\b(?:sorry|apolog\w*|can't|cannot|can not|unable|not able|just an? (?:\w+ )?assistant)\b", re.I)
_LIST_LINE = re.compile(r"^\s*(?:(\d{1,2})[.)]|[-*•])\s+(.+)$")
_COUNT = re.compile(r"\b(\d+)\s+(?:\S+\s+){0,3}?(?:options?|products?|results?|items?|choices?|picks?|matches?|models?)\b", re.I)
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
        plan_text = " ".join([template, json.dumps(plan.model_dump(mode="json", exclude={"user_text"}), ensure_ascii=False)])
        self.plan_words = set(words(plan_text))
        self.supported = stems(sorted(self.plan_words)) | stems(sorted(CONNECTIVES)) | CONNECTIVES
        self.asks = "?" in template
        # the template's list lines ("3. Title, Colour — $99.00, 4.5★") by their text, with their numbers
        self.list_lines: dict[str, str | None] = {}
        for line in [*template.splitlines(), *(card_line(card) for card in plan.products)]:
            if match := _LIST_LINE.match(line):
                self.list_lines.setdefault(_normal(match.group(2)), match.group(1))
        self.template_sentences = {_normal(t) for t in split_sentences(template)}
        self.counts = {m.group(1) for m in _COUNT.finditer(template)}

    def problems(self, sentence: str, earlier: Sequence[str] = ()) -> list[ClaimProblem]:
        tokens = words(sentence)
        found: list[ClaimProblem] = []
        if any(_similar(tokens, words(e)) >= 0.8 for e in earlier) or _loops(tokens):
            found.append(ClaimProblem(kind="repetition", text=sentence[:80]))
        if _normal(sentence) in self.template_sentences:  # copied from the template reply: its facts are the plan's
            return found
        found += [ClaimProblem(kind=v.kind, text=v.text) for v in self.grounder.check(sentence)]
        if not self.first_turn and self.plan.action != "greet" and _GREETING.search(sentence) and not _GREETING.search(self.template):
            found.append(ClaimProblem(kind="greeting", text=sentence[:80]))
        if sentence.rstrip().endswith("?") and not self.asks:
            found.append(ClaimProblem(kind="unasked_question", text=sentence[:80]))
        found += self._evaluations(sentence)
        found += self._list_lines(sentence) + self._counts(sentence)
        if _REFUSAL.search(sentence) and not _REFUSAL.search(self.template):
            found.append(ClaimProblem(kind="refusal", text=sentence[:80]))
        unsupported = self._unsupported_words(tokens)
        content = [t for t in tokens if t not in STOP_WORDS and len(t) > 2]
        if content and 1 - len(unsupported) / len(content) < self.support:
            found.append(ClaimProblem(kind="unsupported_words", text=", ".join(unsupported[:6])))
        return found

    def _list_lines(self, sentence: str) -> list[ClaimProblem]:
        """A product line ("2. Title — $price, rating★", or any "— $" line) must be one of the template's lines, with
        its number: a model that re-lists changes positions, prices, ratings and names, or replays an earlier turn."""
        match = _LIST_LINE.match(sentence)
        if match is None and "— $" not in sentence:
            return []
        number, body = (match.group(1), match.group(2)) if match else (None, sentence)
        key = _normal(body)
        if key not in self.list_lines or (number is not None and self.list_lines[key] not in (None, number)):
            return [ClaimProblem(kind="list_line", text=sentence[:80])]
        return []

    def _counts(self, sentence: str) -> list[ClaimProblem]:
        """"Here are 5 … options": how many products there are is what the template reply says, not any number of the plan."""
        return [ClaimProblem(kind="count", text=m.group(0)) for m in _COUNT.finditer(sentence) if m.group(1) not in self.counts]

    def _evaluations(self, sentence: str) -> list[ClaimProblem]:
        plain = _IDIOMS.sub(" ", sentence)
        claimed = {t for t in words(plain) if t in EVALUATIVE}
        claimed |= {w.lower() for m in _COMPARISON.finditer(plain) for w in m.groups() if w and w.lower() not in _NOT_COMPARISONS}
        return [ClaimProblem(kind="evaluative", text=w) for w in sorted(claimed) if w not in self.plan_words]

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
        lowered = " ".join(shown.lower().split())
        kept_lines: list[str] = []
        for line in self.lines:
            units = split_sentences(line) if not re.match(r"^\s*(?:\d+\.|[-*•])\s", line) else [line]
            rest = [u for u in units if not self._said(u, said_words, said_money, lowered)]
            if rest:
                kept_lines.append(" ".join(rest) if len(rest) < len(units) else line)
        return "\n".join(kept_lines)

    @staticmethod
    def _said(unit: str, said_words: set[str], said_money: set[float], lowered: str) -> bool:
        if any(_amount(m) not in said_money for m in _MONEY_VALUE.findall(unit)):
            return False
        for run in _TITLE_RUN.findall(unit):
            head = " ".join(run.lower().split()[:2])
            if head not in lowered:
                return False
        content = [t for t in words(unit) if t not in STOP_WORDS and len(t) > 2]
        if not content:
            return True
        return len(stems(content) & said_words) / len(set(stems(content))) >= 0.5


def _normal(text: str) -> str:
    """A line compared with the template's: lower case, one kind of dash, single spaces."""
    return " ".join(text.lower().replace("–", "—").replace(" - ", " — ").split()).rstrip(" .")


def _amount(raw: str) -> float:
    return round(float(raw.replace(",", "")), 2)
