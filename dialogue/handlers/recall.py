"""Going back to an earlier search ("go back to the coffee makers"), or to the current one after a detour: its goal,
constraints included, is restored."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dialogue.goals import recall, refine_goal
from dialogue.plan import ReplyPlan
from dialogue.state import Goal

if TYPE_CHECKING:
    from dialogue.manager import DialogueManager, Turn


def recalled_goal(turn: Turn) -> Goal | None:
    """The earlier goal this message goes back to, with anything new it says on top ("back to the lamps, under 50")."""
    found = recall(turn.state.past_goals, turn.nlu.slots, turn.text, turn.state.goal)
    if found is None:
        return None
    slots = turn.nlu.slots.model_copy(update={"category": None})
    return refine_goal(found, slots) if not slots.is_empty() else found


def resume(dm: DialogueManager, turn: Turn, goal: Goal) -> ReplyPlan:
    from dialogue.handlers.shopping import show

    return show(dm, turn, goal)
