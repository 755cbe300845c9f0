"""Turn and feedback metrics of every channel, in the process-wide registry (rendered by ``GET /metrics``)."""

from __future__ import annotations

from assistant.metrics import METRICS
from assistant.service import TurnResult

TURNS = METRICS.counter("shopassist_turns_total", "Turns handled, by channel and action.")
FALLBACKS = METRICS.counter("shopassist_fallbacks_total", "Turns answered with the fallback action (not understood), by channel.")
HANDOFFS = METRICS.counter("shopassist_handoffs_total", "Turns that handed the conversation to a human agent, by channel.")
STAGE_SECONDS = METRICS.histogram("shopassist_turn_stage_seconds", "Seconds per turn stage (nlu, dialogue, generate, total).")
FEEDBACK = METRICS.counter("shopassist_feedback_total", "Likes and dislikes on product cards, by channel and kind.")
# Registered here too so that /metrics always lists them (the guarded LLM generator counts into them).
METRICS.counter("shopassist_llm_fallbacks_total", "Model replies replaced by the template reply, by reason.")
METRICS.counter("shopassist_llm_grounding_violations_total", "Statements in model replies not backed by the plan, by kind.")


def record_turn(result: TurnResult, channel: str) -> None:
    plan = result.plan
    TURNS.inc(channel=channel, action=plan.action)
    if plan.action == "fallback":
        FALLBACKS.inc(channel=channel)
    if plan.handoff and not result.waiting_for_person:  # not the messages to the person
        HANDOFFS.inc(channel=channel)
    for stage, ms in result.timings_ms.items():
        STAGE_SECONDS.observe(ms / 1000.0, stage=stage)


def record_feedback(channel: str, liked: bool) -> None:
    FEEDBACK.inc(channel=channel, kind="like" if liked else "dislike")
