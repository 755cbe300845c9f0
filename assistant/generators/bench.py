"""Generator benchmarks: template ms per reply; first-token latency and tokens/s of the local model and of an
OpenAI-compatible server (when reachable). ``shopassist bench generate`` prints this report."""

from __future__ import annotations

import logging
import statistics
import time
from collections.abc import Callable, Iterator
from typing import Any, cast

from pydantic import BaseModel, Field

from assistant.generators.prompting import build_messages
from assistant.generators.template import TemplateGenerator
from assistant.settings import Settings
from dialogue.plan import CartLine, ProductCard, ReplyPlan

log = logging.getLogger(__name__)

TEMPLATE_TARGET_MS = 1.0


class ModelFigures(BaseModel):
    backend: str
    available: bool
    note: str | None = Field(default=None, description="Why figures are missing, or where they came from.")
    load_s: float | None = None
    first_token_ms_p50: float | None = None
    tokens_per_s: float | None = Field(default=None, description="Decoding rate after the first token.")
    rounds: int = 0
    sample: str | None = Field(default=None, description="The last reply, to eyeball quality.")


class GenerateBenchReport(BaseModel):
    template_ms_per_reply: float
    template_target_ms: float = TEMPLATE_TARGET_MS
    template_meets_target: bool
    local: ModelFigures | None = None
    openai: ModelFigures | None = None


def sample_plans() -> list[ReplyPlan]:
    """Typical plans: a product list, a cart, a policy answer, a greeting."""
    cards = [ProductCard(position=i + 1, product_id=f"b{i}", title=title, brand=brand, category="Clothing > Jackets", price=price, currency="USD",
                         rating=4.4, review_count=87, in_stock=True, key_attributes={"color": "navy", "material": "nylon"})
             for i, (title, brand, price) in enumerate([("Trailhead Waterproof Rain Jacket", "Northpeak", 89.99),
                                                         ("Cityline Packable Shell", "Urbano", 64.5), ("Summit Insulated Parka", "Northpeak", 99.0)])]
    return [
        ReplyPlan(action="show_products", user_text="rain jacket under $100", facts={"category": "Jackets", "constraints": "under $100"}, products=cards),
        ReplyPlan(action="cart_add", user_text="add the second one", facts={"added": True, "quantity": 1, "title": cards[1].title},
                  cart=[CartLine(product_id="b1", title=cards[1].title, quantity=1, unit_price=64.5, line_total=64.5)], cart_total=64.5),
        ReplyPlan(action="policy_answer", user_text="how long do I have to return things?", facts={
            "known": True, "title": "Returns and refunds", "sentences": ["Most items can be returned within 30 days of delivery for a full refund."]}),
        ReplyPlan(action="greet", user_text="hello", facts={"kind": "hello"}),
    ]


def bench_template(replies: int = 4000) -> float:
    """Mean milliseconds per template reply over the sample plans."""
    generator, plans = TemplateGenerator(), sample_plans()
    started = time.perf_counter()
    for index in range(replies):
        generator.generate(plans[index % len(plans)], [])
    return (time.perf_counter() - started) * 1000 / replies


def _measure(stream: Callable[[], Iterator[str]], count_tokens: Callable[[str], int], rounds: int) -> tuple[list[float], list[float], str]:
    firsts, rates, text = [], [], ""
    for _ in range(rounds):
        started, first, pieces = time.perf_counter(), None, []
        for piece in stream():
            first = first or time.perf_counter()
            pieces.append(piece)
        ended = time.perf_counter()
        if first is None:
            continue
        text = "".join(pieces)
        firsts.append((first - started) * 1000)
        tokens = count_tokens(text)
        if tokens > 1 and ended > first:
            rates.append((tokens - 1) / (ended - first))
    return firsts, rates, text


def _figures(backend: str, firsts: list[float], rates: list[float], text: str, rounds: int, load_s: float | None, note: str) -> ModelFigures:
    return ModelFigures(backend=backend, available=bool(firsts), note=note, load_s=load_s, rounds=rounds,
                        first_token_ms_p50=round(statistics.median(firsts), 1) if firsts else None,
                        tokens_per_s=round(statistics.median(rates), 1) if rates else None, sample=text[:300] or None)


def bench_local(settings: Settings, rounds: int = 3, max_tokens: int = 48) -> ModelFigures:
    """SmolLM2 in-process on the real prompt of a three-product plan (greedy)."""
    from assistant.errors import ShopAssistError
    from assistant.generators.local import LocalChatModel

    try:
        started = time.perf_counter()
        model = LocalChatModel(settings)
        load_s = round(time.perf_counter() - started, 2)
    except ShopAssistError as exc:
        return ModelFigures(backend="local", available=False, note=str(exc))
    plan = sample_plans()[0]
    messages = build_messages(plan, [], TemplateGenerator().generate(plan), settings.llm_history_tokens)
    firsts, rates, text = _measure(lambda: model.stream_chat(messages, max_tokens=max_tokens, temperature=0.0),
                                   lambda t: len(model.tokenizer(t)["input_ids"]), rounds)
    return _figures("local", firsts, rates, text, rounds, load_s, f"{model.folder.name} on {model.device}, {settings.torch_threads} torch thread(s)")


def bench_openai(settings: Settings, rounds: int = 3, max_tokens: int = 48) -> ModelFigures:
    """An OpenAI-compatible server at ``llm_base_url``: first token and decoding rate (usage counts when the server sends them)."""
    import openai

    from assistant.generators.openai_backend import OpenAIChatModel

    model = OpenAIChatModel(settings)
    try:
        model.available_models()
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable" here
        return ModelFigures(backend="openai", available=False, note=f"{model.base_url} not reachable: {exc}")
    plan = sample_plans()[0]
    messages = build_messages(plan, [], TemplateGenerator().generate(plan), settings.llm_history_tokens)
    usage: list[int] = []

    def stream() -> Iterator[str]:
        chunks = model.client.chat.completions.create(model=model.model, messages=cast(Any, messages), stream=True, max_tokens=max_tokens,
                                                      temperature=0.0, stream_options={"include_usage": True})
        for chunk in chunks:
            if chunk.usage is not None:
                usage.append(chunk.usage.completion_tokens)
            if chunk.choices and chunk.choices[0].delta.content:
                yield chunk.choices[0].delta.content

    try:
        firsts, rates, text = _measure(stream, lambda t: usage[-1] if usage else max(len(t) // 4, 1), rounds)
    except openai.OpenAIError as exc:
        return ModelFigures(backend="openai", available=False, note=f"{model.base_url}: {exc}")
    return _figures("openai", firsts, rates, text, rounds, None, f"{model.model} at {model.base_url}")


def bench_generate(settings: Settings, *, local: bool = True, openai: bool = True, rounds: int = 3) -> GenerateBenchReport:
    template_ms = bench_template()
    return GenerateBenchReport(
        template_ms_per_reply=round(template_ms, 4), template_meets_target=template_ms <= TEMPLATE_TARGET_MS,
        local=bench_local(settings, rounds) if local else None, openai=bench_openai(settings, rounds) if openai else None,
    )
