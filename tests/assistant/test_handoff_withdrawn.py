"""A request for a person taken back ("never mind") before one has written: the assistant has the conversation again
and says so; once a person has written, the shopper's messages wait for them (real assistant, real SQLite)."""

from __future__ import annotations

from assistant.takeover import Takeover


def test_never_mind_before_a_person_writes_gives_the_conversation_back(assistant_factory) -> None:  # type: ignore[no-untyped-def]
    shop = assistant_factory()
    sender = "withdraws"
    conversation = shop.start(sender)
    asked = shop.handle(conversation, sender, "talk to a human")
    assert asked.plan.handoff and shop.state(conversation).handoff
    assert conversation in Takeover(shop).states.handed_off()

    withdrawn = shop.handle(conversation, sender, "never mind, I'll keep browsing")
    assert withdrawn.plan.action == "handoff" and not withdrawn.plan.handoff
    assert "no one from the team will join" in withdrawn.text
    assert not shop.state(conversation).handoff and conversation not in Takeover(shop).states.handed_off()

    shown = shop.handle(conversation, sender, "show me sofas")  # the assistant answers again
    assert shown.plan.action == "show_products" and shown.plan.products


def test_never_mind_after_a_person_wrote_waits_for_them(assistant_factory) -> None:  # type: ignore[no-untyped-def]
    shop = assistant_factory()
    sender = "withdraws-late"
    conversation = shop.start(sender)
    shop.handle(conversation, sender, "I want to speak to an agent")
    Takeover(shop).reply(conversation, "Dana", "Hi, I'm Dana. How can I help?")

    waiting = shop.handle(conversation, sender, "never mind")
    assert waiting.plan.handoff and waiting.text == ""
    assert shop.state(conversation).handoff

