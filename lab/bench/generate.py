"""Generator benchmarks: template ms per reply; first-token latency and tokens/s of the local model and of an
OpenAI-compatible server (when reachable). ``shopassist bench generate`` prints this report."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterator
from typing import Any, cast

from pydantic import BaseModel, Field

from assistant.generators.chat import ChatMessage
from assistant.generators.hf_generate import measure, summary
from assistant.generators.prompting import build_messages
from assistant.generators.template import TemplateGenerator
from core.settings import Settings
from dialogue.plan import CartLine, ProductCard, ReplyPlan

log = logging.getLogger(__name__)

TEMPLATE_TARGET_MS = 1.0


class ModelFigures(BaseModel):
    backend: str
    available: bool
    note: str | None = Field(default=None, description="Why figures are missing, or where they came from.")
    device: str | None = Field(default=None, description="cpu or cuda (local backend).")
    load_s: float | None = None
    first_token_ms_p50: float | None = None
    first_token_cached_ms: float | None = Field(default=None, description="Server only: the same prompt again, from its prefix cache.")
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


def bench_messages() -> list[ChatMessage]:
    """The measured prompt: the real messages for a three-product plan (hf_generate.BENCH_PROMPT holds a copy)."""
    plan = sample_plans()[0]
    return build_messages(plan, [], TemplateGenerator().generate(plan), history_tokens=256)


def _figures(backend: str, firsts: list[float], rates: list[float], text: str, rounds: int, load_s: float | None, note: str,
             device: str | None = None) -> ModelFigures:
    return ModelFigures(backend=backend, available=bool(firsts), note=note, device=device, load_s=load_s, rounds=rounds,
                        **summary(firsts, rates), sample=text[:300] or None)


def bench_local(settings: Settings, rounds: int = 3, max_tokens: int = 48) -> ModelFigures:
    """SmolLM2 in-process (on ``settings.llm_device``) on the real prompt of a three-product plan (greedy, after one
    warm-up reply)."""
    from core.errors import ShopAssistError
    from assistant.generators.local import LocalChatModel

    try:
        started = time.perf_counter()
        model = LocalChatModel(settings)
        load_s = round(time.perf_counter() - started, 2)
    except ShopAssistError as exc:
        return ModelFigures(backend="local", available=False, note=str(exc))
    messages = bench_messages()

    def stream() -> Iterator[str]:
        return model.stream_chat(messages, max_tokens=max_tokens, temperature=0.0)

    try:
        list(stream())
        firsts, rates, text = measure(stream, lambda t: len(model.tokenizer(t)["input_ids"]), rounds)
    except ShopAssistError as exc:
        return ModelFigures(backend="local", available=False, note=str(exc), device=model.device, load_s=load_s)
    threads = f", {settings.torch_threads} torch thread(s)" if model.device == "cpu" else ""
    return _figures("local", firsts, rates, text, rounds, load_s, f"{model.folder.name} on {model.device}{threads}", device=model.device)


def bench_openai(settings: Settings, rounds: int = 3, max_tokens: int = 48) -> ModelFigures:
    """An OpenAI-compatible server at ``llm_base_url``: first token and decoding rate (usage counts when the server sends
    them), on the same prompt as ``bench_local``, after one warm-up reply."""
    import openai

    from assistant.generators.openai_backend import OpenAIChatModel

    model = OpenAIChatModel(settings)
    try:
        model.available_models()
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable" here
        return ModelFigures(backend="openai", available=False, note=f"{model.base_url} not reachable: {exc}")
    messages = bench_messages()
    usage: list[int] = []
    salted = [True]  # vLLM's cache_salt keeps a request off the prefix cache, so first token includes the whole prompt

    def stream(cold: bool = True) -> Iterator[str]:
        extra = {"cache_salt": uuid.uuid4().hex} if cold and salted[0] else None
        chunks = model.client.chat.completions.create(model=model.model, messages=cast(Any, messages), stream=True, max_tokens=max_tokens,
                                                      temperature=0.0, stream_options={"include_usage": True}, extra_body=extra)
        for chunk in chunks:
            if chunk.usage is not None:
                usage.append(chunk.usage.completion_tokens)
            if chunk.choices and chunk.choices[0].delta.content:
                yield chunk.choices[0].delta.content

    def count(text: str) -> int:
        return usage[-1] if usage else max(len(text) // 4, 1)

    note = f"{model.model} at {model.base_url}; first token without the server's prefix cache"
    try:
        try:
            list(stream())
        except openai.BadRequestError:  # not vLLM: no cache_salt
            salted[0] = False
            note = f"{model.model} at {model.base_url}; the server refused cache_salt, so its prefix cache may shorten the first token"
            list(stream())
        firsts, rates, text = measure(stream, count, rounds)
        list(stream(cold=False))  # fills the prefix cache
        cached, _, _ = measure(lambda: stream(cold=False), count, 1)
    except openai.OpenAIError as exc:
        return ModelFigures(backend="openai", available=False, note=f"{model.base_url}: {exc}")
    figures = _figures("openai", firsts, rates, text, rounds, None, note)
    return figures.model_copy(update={"first_token_cached_ms": round(cached[0], 1) if cached else None})


def bench_generate(settings: Settings, *, local: bool = True, openai: bool = True, rounds: int = 3, max_tokens: int = 48) -> GenerateBenchReport:
    template_ms = bench_template()
    return GenerateBenchReport(
        template_ms_per_reply=round(template_ms, 4), template_meets_target=template_ms <= TEMPLATE_TARGET_MS,
        local=bench_local(settings, rounds, max_tokens) if local else None, openai=bench_openai(settings, rounds, max_tokens) if openai else None,
    )
