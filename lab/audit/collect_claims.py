"""Collect real model sentences for the claim-level grounding labelled set (issue 17).

1. Runs the scripted dialogue suites (tests/dialogues/*.yml) through the full pipeline with the *template* generator,
   wrapped in a recording generator that keeps, for every turn, the ReplyPlan, the history the generator got and the
   template reply.
2. Picks up to ``--max-replies`` distinct turns (distinct prompts), stratified by ``plan.action`` with a per-action cap
   so that no action dominates (seeded, deterministic).
3. Sends each picked turn's prompt (``assistant.generators.prompting.build_messages``, exactly what the guarded
   generator sends) to an OpenAI-compatible server (vLLM with SmolLM2-135M-Instruct) and keeps the model's whole text.
4. Writes ``replies.jsonl`` (one line per reply) and ``sentences.jsonl`` (one line per sentence of the model's text,
   label fields empty, a dev/test split decided per reply) into ``--out``.

The labels are filled in by hand afterwards (see lab/audit/claims/README.md); running this again with ``--force``
overwrites them.

    python -m lab.audit.collect_claims --home-from /tmp/fresh-home --base-url http://127.0.0.1:8417/v1
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import random
import re
import shutil
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from tqdm import tqdm

from assistant.generators.base import HistoryTurn
from assistant.generators.chat import ChatMessage
from assistant.generators.prompting import build_messages
from assistant.generators.template import TemplateGenerator
from dialogue.plan import ReplyPlan

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SUITES = ROOT / "tests" / "dialogues"
DEFAULT_OUT = Path(__file__).with_name("claims")
#: History budget of the prompt, as the generator settings' default (``llm_history_tokens``).
HISTORY_TOKENS = 256


# ------------------------------------------------------------------------------------------------ recording
@dataclass
class RecordedTurn:
    suite: str
    case: str
    turn: int
    plan: ReplyPlan
    history: list[HistoryTurn]
    template: str

    @property
    def id(self) -> str:
        return hashlib.sha1(f"{self.suite}/{self.case}/{self.turn}".encode()).hexdigest()[:10]

    def messages(self) -> list[ChatMessage]:
        return build_messages(self.plan, self.history, self.template, HISTORY_TOKENS)


@dataclass
class RecordingGenerator:
    """A ``Generator`` that phrases with the template and records every turn it phrases (under the current case)."""

    template: TemplateGenerator = field(default_factory=TemplateGenerator)
    turns: list[RecordedTurn] = field(default_factory=list)
    suite: str = ""
    case: str = ""
    _next_turn: int = 0
    name: str = "recording-template"

    def begin_case(self, suite: str, case: str) -> None:
        self.suite, self.case, self._next_turn = suite, case, 0

    def generate(self, plan: ReplyPlan, history: list[HistoryTurn] | None = None, deadline: float | None = None) -> str:
        history = list(history or [])
        reply = self.template.generate(plan, history)
        self.turns.append(RecordedTurn(self.suite, self.case, self._next_turn, plan.model_copy(deep=True), history, reply))
        self._next_turn += 1
        return reply

    def stream(self, plan: ReplyPlan, history: list[HistoryTurn] | None = None, deadline: float | None = None) -> Iterator[str]:
        yield self.generate(plan, history)


def record_suites(home_from: Path, suites: Path) -> list[RecordedTurn]:
    """Every turn of the suites under ``suites``, run on a copy of the home ``home_from`` with the template generator."""
    from assistant.wiring import build_assistant
    from core.settings import Settings
    from lab.scripted.format import discover, parse_suite
    from lab.scripted.runner import run_case

    with tempfile.TemporaryDirectory(prefix="claims-home-") as tmp:
        home = Path(tmp) / "home"
        shutil.copytree(home_from, home, symlinks=True)
        os.environ["SHOPASSIST_HOME"] = str(home)
        settings = Settings(home=home, generator="template")
        recorder = RecordingGenerator()
        assistant = build_assistant(settings, generator=recorder)
        cases = [(path, case) for path in discover([suites]) for case in parse_suite(path)]
        failed = 0
        for path, case in tqdm(cases, desc="dialogues"):
            recorder.begin_case(path.stem, case.name)
            failed += not run_case(assistant, case).passed
        if failed:
            log.warning("%d of %d cases failed their checks (their turns are recorded all the same)", failed, len(cases))
    return recorder.turns


# ------------------------------------------------------------------------------------------------ selection
def prompt_key(turn: RecordedTurn) -> str:
    return hashlib.sha1(json.dumps(turn.messages(), sort_keys=True).encode()).hexdigest()


def select_turns(turns: list[RecordedTurn], max_replies: int, seed: int) -> list[RecordedTurn]:
    """Distinct prompts, stratified by action: the largest per-action cap that keeps the total within ``max_replies``."""
    by_action: dict[str, list[RecordedTurn]] = defaultdict(list)
    seen: set[str] = set()
    for turn in turns:
        key = prompt_key(turn)
        if key not in seen:
            seen.add(key)
            by_action[turn.plan.action].append(turn)
    cap = 0
    while cap < max(len(v) for v in by_action.values()) and sum(min(len(v), cap + 1) for v in by_action.values()) <= max_replies:
        cap += 1
    rng = random.Random(seed)
    chosen: list[RecordedTurn] = []
    for action in sorted(by_action):
        group = by_action[action]
        chosen += rng.sample(group, min(cap, len(group)))
    log.info("%d turns, %d distinct prompts, %d actions, cap %d per action, %d picked", len(turns), len(seen),
             len(by_action), cap, len(chosen))
    return sorted(chosen, key=lambda t: (t.suite, t.case, t.turn))


# ------------------------------------------------------------------------------------------------ the model
def ask_model(turns: list[RecordedTurn], base_url: str, model: str, temperature: float, max_tokens: int,
              workers: int) -> list[str]:
    import openai

    client = openai.OpenAI(base_url=base_url, api_key=os.environ.get("OPENAI_API_KEY", "none"), max_retries=2, timeout=300)

    def one(turn: RecordedTurn) -> str:
        response = client.chat.completions.create(model=model, messages=cast(Any, turn.messages()),
                                                  temperature=temperature, max_tokens=max_tokens)
        return (response.choices[0].message.content or "") if response.choices else ""

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(tqdm(pool.map(one, turns), total=len(turns), desc="model"))


# ------------------------------------------------------------------------------------------------ sentences
#: A newline, or spaces after . ! ? except after "e.g.", "i.e.", "vs.", "Co." (a brand: "Gamenight Co.") and after
#: "No." before a number (a product name: "Calm No. 4").
_BOUNDARY = re.compile(r"\n+"
                       r"|(?<=[.!?])(?<!\bNo\.)(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\bvs\.)(?<!\bCo\.)[ \t]+"
                       r"|(?<=\bNo\.)[ \t]+(?=[^\d\s])")
_LIST_NUMBER = re.compile(r"^\(?\d{1,2}[.)]$")


def split_sentences(text: str) -> list[str]:
    """Sentences: split after . ! ? followed by spaces (not after a few abbreviations) and on newlines; a bare list
    number ("1.") stays with the text after it."""
    pieces = [p.strip() for p in _BOUNDARY.split(text)]
    out: list[str] = []
    carry = ""
    for piece in pieces:
        if not piece:
            continue
        if _LIST_NUMBER.match(piece):
            carry = f"{carry}{piece} "
            continue
        out.append(carry + piece)
        carry = ""
    if carry.strip():
        out.append(carry.strip())
    return out


#: Filled in by hand (README.md): "supported" | "unsupported", true | false, a reason, who labelled it.
LABEL_FIELDS = ("label", "degenerate", "note", "labeller")


def split_of(reply_id: str) -> str:
    return "dev" if int(hashlib.sha1(reply_id.encode()).hexdigest(), 16) % 2 == 0 else "test"


# ------------------------------------------------------------------------------------------------ output
def reply_row(turn: RecordedTurn, text: str, model: str, temperature: float, when: str) -> dict[str, Any]:
    return {
        "id": turn.id, "suite": turn.suite, "case": turn.case, "turn": turn.turn, "action": turn.plan.action,
        "user_text": turn.plan.user_text, "first_turn": not turn.history, "plan": turn.plan.model_dump(mode="json"),
        "history": [h.model_dump() for h in turn.history], "template": turn.template, "model_text": text,
        "model": model, "temperature": temperature, "collected_at": when,
    }


def sentence_rows(reply: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"id": f"{reply['id']}#{n}", "reply_id": reply["id"], "action": reply["action"], "split": split_of(reply["id"]),
             "sentence": sentence, **dict.fromkeys(LABEL_FIELDS)}
            for n, sentence in enumerate(split_sentences(reply["model_text"]))]


def write_jsonl(rows: list[dict[str, Any]], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def resplit(out: Path) -> tuple[int, int]:
    """Rebuild sentences.jsonl from replies.jsonl (after a change to the splitter), keeping the label fields of every
    sentence whose id and text are unchanged. Returns (sentences, labels kept)."""
    replies = read_jsonl(out / "replies.jsonl")
    sentences_path = out / "sentences.jsonl"
    old = {row["id"]: row for row in read_jsonl(sentences_path)} if sentences_path.exists() else {}
    rows, kept = [], 0
    for row in (row for reply in replies for row in sentence_rows(reply)):
        before = old.get(row["id"])
        if before is not None and before["sentence"] == row["sentence"]:
            row.update({k: before.get(k) for k in LABEL_FIELDS})
            kept += before.get("label") is not None
        rows.append(row)
    write_jsonl(rows, sentences_path)
    return len(rows), kept


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Collect model replies and sentences for the claim-level grounding labelled set.")
    parser.add_argument("--home-from", type=Path, default=Path(os.environ.get("SHOPASSIST_HOME", Path.home() / ".shopassist")),
                        help="a ready home (catalog ingested, intent model); it is copied, never written (default: $SHOPASSIST_HOME)")
    parser.add_argument("--suites", type=Path, default=DEFAULT_SUITES, help="folder (or file) of scripted dialogue suites")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder for replies.jsonl and sentences.jsonl")
    parser.add_argument("--base-url", default=os.environ.get("OPENAI_BASE_URL", "http://127.0.0.1:8001/v1"))
    parser.add_argument("--model", default="smollm2")
    parser.add_argument("--temperature", type=float, default=0.2)
    parser.add_argument("--max-tokens", type=int, default=200)
    parser.add_argument("--max-replies", type=int, default=170)
    parser.add_argument("--workers", type=int, default=8, help="concurrent requests")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--force", action="store_true", help="overwrite existing files (and their labels)")
    parser.add_argument("--resplit", action="store_true",
                        help="only rebuild sentences.jsonl from replies.jsonl in --out (no dialogues, no model), keeping "
                             "the labels of unchanged sentences")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.resplit:
        total, kept = resplit(args.out)
        log.info("wrote %d sentences to %s (%d labels kept)", total, args.out / "sentences.jsonl", kept)
        return

    replies_path, sentences_path = args.out / "replies.jsonl", args.out / "sentences.jsonl"
    if not args.force and (replies_path.exists() or sentences_path.exists()):
        parser.error(f"{args.out} already holds a collection (and perhaps labels); pass --force to overwrite")
    started = time.perf_counter()
    turns = record_suites(args.home_from, args.suites)
    recorded = time.perf_counter()
    picked = select_turns(turns, args.max_replies, args.seed)
    when = datetime.now(UTC).isoformat(timespec="seconds")
    texts = ask_model(picked, args.base_url, args.model, args.temperature, args.max_tokens, args.workers)
    asked = time.perf_counter()
    replies = [reply_row(turn, text, args.model, args.temperature, when) for turn, text in zip(picked, texts)]
    sentences = [row for reply in replies for row in sentence_rows(reply)]
    write_jsonl(replies, replies_path)
    write_jsonl(sentences, sentences_path)
    log.info("recorded %d turns in %.0f s; %d replies from the model in %.0f s; %d sentences; wrote %s", len(turns),
             recorded - started, len(replies), asked - recorded, len(sentences), args.out)


if __name__ == "__main__":
    main()
