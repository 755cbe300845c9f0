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
    found = recall(turn.state.past_goals, turn.nlu.slots, turn.text, turn.state.goal, [e.goal for e in turn.state.goal_trail])
    if found is None:
        return None
    slots = turn.nlu.slots.model_copy(update={"category": None})
    return refine_goal(found, slots) if not slots.is_empty() else found


def resume(dm: DialogueManager, turn: Turn, goal: Goal) -> ReplyPlan:
    """Show the goal gone back to: the very cards it showed when it is an earlier version of the current search ("go
    back to the previous results": the re-ranking, having seen them passed over, would now show others) or an earlier
    search of another kind ("go back to the laptops"), else search."""
    from dialogue.handlers.shopping import show, show_again

    earlier = next((e for e in turn.state.goal_trail if e.goal == goal), None)
    shown = earlier.shown if earlier is not None else \
        turn.state.past_shown.get((goal.constraints.category or "").lower(), []) if goal in turn.state.past_goals else []
    products = [p for pid in shown if (p := dm.product(pid)) is not None]
    if products and all(goal.constraints.matches(p) for p in products):
        return show_again(dm, turn, goal, products)
    return show(dm, turn, goal)
