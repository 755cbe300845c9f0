"""The chat widget (Gradio 6), mounted on the API's FastAPI app at /ui.

Replies stream into the chat; product cards (with why they were recommended, like/dislike, add to cart), quick-reply
chips, clarifying-question buttons and the cart panel sit beside it. Turns and likes go through the server's
``ConversationGateway`` (channel "widget"): the same rate limit, conversation handling and metrics as the API's
``POST /api/conversations/{id}/messages`` and ``…/feedback``; this module only renders.

Hand-off: once the conversation is with a person, the assistant says nothing to the shopper's messages, and a timer
(every ``widget_agent_poll_s``, only while a person has the conversation) brings what the person writes into the chat, with
their name; it stops after the hand-back.

Languages: the widget's fixed texts (title, greeting, input, buttons, example prompts) are in the shop's language
(``catalog: zh`` → Chinese); each turn's cards, chips and cart panel in the turn's language (``ReplyPlan.language``),
cart amounts in the shop's currency (``Settings.currency``).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from typing import Any

import gradio as gr
from fastapi import FastAPI

from assistant.channel import ConversationGateway
from assistant.generators.phrases import plan_currency
from assistant.message_reply import MessageReply
from assistant.service import TurnResult
from core.errors import ShopAssistError
from dialogue.plan import ProductCard
from dialogue.reply_facts import ClarificationFacts
from ui.cards import (
    CLICK_JS,
    CSS,
    render_cards,
    render_cart,
    render_chips,
    render_examples,
)
from ui.texts import book, shop_language

log = logging.getLogger(__name__)

Chat = list[dict[str, Any]]


class Widget:
    """Event handlers over the server's gateway; per-browser state lives in Gradio ``State`` values."""

    def __init__(self, gateway: ConversationGateway) -> None:
        self.gateway = gateway
        self.assistant = gateway.assistant
        self.language = shop_language(self.assistant.settings)  # the fixed texts'
        self.currency = self.assistant.settings.currency  # of amounts without one (the cart's)
        self.texts = book(self.language)
        self.poll_s = self.assistant.settings.widget_agent_poll_s

    def greeting(self) -> Chat:
        return [{"role": "assistant", "content": self.texts["widget.greeting"]}]

    # sessions ---------------------------------------------------------------------------------------
    def _session(self, sender: str, conversation_id: str) -> tuple[str, str]:
        """A browser's sender (random, kept across "New conversation") and its current conversation."""
        sender = sender or f"ui-{uuid.uuid4().hex[:16]}"
        if not conversation_id:
            conversation_id = self.gateway.start(sender)
        return sender, conversation_id

    # events -----------------------------------------------------------------------------------------
    def queue_message(self, text: str, chat: Chat) -> tuple[Chat, str, str]:
        """Show the shopper's message at once and hand its text to :meth:`reply`; clear the box."""
        text = (text or "").strip()
        if not text:
            return chat, "", ""
        return [*chat, {"role": "user", "content": text}], "", text

    def reply(self, pending: str, chat: Chat, sender: str, conversation_id: str, cards: list[dict[str, Any]]) -> Iterator[tuple[Any, ...]]:
        """Stream the reply into the chat, then show cards, chips and cart. Outputs: chat, cards, chips, cart, states."""
        if not pending:
            yield chat, gr.skip(), gr.skip(), gr.skip(), cards, sender, conversation_id, "", gr.skip()
            return
        sender, conversation_id = self._session(sender, conversation_id)
        chat = [*chat, {"role": "assistant", "content": ""}]
        result: TurnResult | None = None
        try:  # a rate limit or an input error arrives as the first item: shown in the chat
            for item in self.gateway.stream_turn("widget", sender, pending, conversation_id):
                if isinstance(item, TurnResult):
                    result = item
                    break
                chat[-1] = {"role": "assistant", "content": chat[-1]["content"] + item}
                yield chat, gr.skip(), gr.skip(), gr.skip(), cards, sender, conversation_id, "", gr.skip()
        except ShopAssistError as exc:
            chat[-1] = {"role": "assistant", "content": str(exc)}
            yield chat, gr.skip(), gr.skip(), gr.skip(), cards, sender, conversation_id, "", gr.skip()
            return
        if result is None:
            return
        with_person = gr.Timer(self.poll_s, active=result.plan.handoff)  # look for the person's messages while they have it
        if result.waiting_for_person:  # the person answers, not the assistant
            yield chat[:-1], gr.skip(), render_chips([], None), gr.skip(), cards, sender, conversation_id, "", with_person
            return
        chat[-1] = {"role": "assistant", "content": result.text}
        plan = result.plan
        if plan.products:
            cards = [card.model_dump(mode="json") for card in plan.products]
        question = None
        if isinstance(plan.facts, ClarificationFacts):  # the dialogue manager's question when it is in the turn's language
            question = book(plan.language).own_words(plan.facts.question) or result.text
        state = self.assistant.state(conversation_id, sender)
        yield (chat, self._cards_html(cards, state.liked(), state.disliked(), plan.comparison, result.turn_index, plan.language,
                                      plan_currency(plan, self.currency)),
               render_chips(plan.quick_replies, question),
               render_cart(state.cart, state.cart_total, plan.language, self.currency), cards, sender, conversation_id, "", with_person)

    def person_messages(self, chat: Chat, sender: str, conversation_id: str, seen: int) -> tuple[Any, ...]:
        """The timer's tick during a hand-off: what the person wrote since the last tick, with their name; the timer
        stops once the conversation is handed back. Outputs: chat, messages seen, timer."""
        if not conversation_id or not sender:
            return gr.skip(), seen, gr.Timer(active=False)
        try:
            state = self.assistant.state(conversation_id, sender)
        except ShopAssistError as exc:
            log.warning("widget.person_messages_failed conversation=%s error=%s", conversation_id, exc)
            return gr.skip(), seen, gr.skip()
        fresh = state.agent_messages[seen:]
        said = [{"role": "assistant", "content": book(state.language)("widget.from_person", agent=m.agent, text=m.text)}
                for m in fresh]
        return ([*chat, *said] if said else gr.skip()), len(state.agent_messages), gr.Timer(active=state.handoff)

    def card_action(self, evt: gr.EventData, chat: Chat, sender: str, conversation_id: str, cards: list[dict[str, Any]]) -> tuple[Any, ...]:
        """A click on a card or chip button. Outputs: chat, cards html, pending message, conversation id, sender."""
        data = getattr(evt, "_data", None) or {}
        action, product_id, text = data.get("action"), data.get("product_id") or "", data.get("text") or ""
        if action in {"say", "add"} and text:
            return [*chat, {"role": "user", "content": text}], gr.skip(), text, sender, conversation_id
        if action in {"like", "dislike"} and product_id:
            sender, conversation_id = self._session(sender, conversation_id)
            try:
                state = self.gateway.feedback("widget", conversation_id, sender, product_id, liked=action == "like")
            except ShopAssistError as exc:
                return [*chat, {"role": "assistant", "content": str(exc)}], gr.skip(), "", sender, conversation_id
            return chat, self._cards_html(cards, state.liked(), state.disliked(), language=state.language), "", sender, conversation_id
        return chat, gr.skip(), "", sender, conversation_id

    # Python clients (gradio_client): plain functions, no UI state -----------------------------------
    def api_chat(self, message: str, conversation_id: str = "", sender: str = "") -> dict[str, Any]:
        """One turn. Leave conversation_id and sender empty to start; pass back the returned ones to continue."""
        sender, conversation_id = self._session(sender, conversation_id)
        try:
            result = self.gateway.turn("widget", sender, message, conversation_id)
        except ShopAssistError as exc:
            raise gr.Error(str(exc)) from exc
        return {"sender": sender, **MessageReply.from_turn(result).model_dump(mode="json")}

    def api_feedback(self, conversation_id: str, sender: str, product_id: str, liked: bool = True) -> dict[str, Any]:
        """Like (liked=True) or dislike a product card of the conversation."""
        try:
            state = self.gateway.feedback("widget", conversation_id, sender, product_id, liked)
        except ShopAssistError as exc:
            raise gr.Error(str(exc)) from exc
        return {"conversation_id": conversation_id, "liked": state.liked(), "disliked": state.disliked()}

    def reset(self) -> tuple[Any, ...]:
        """A new conversation (the sender stays)."""
        return (self.greeting(), render_cards([], language=self.language), render_examples(self.language),
                render_cart([], 0.0, self.language, self.currency), [], "", 0, gr.Timer(active=False))

    # helpers ----------------------------------------------------------------------------------------
    @staticmethod
    def _cards_html(cards: list[dict[str, Any]], liked: list[str], disliked: list[str], comparison: Any = None,
                    turn: int | None = None, language: str = "en", currency: str | None = None) -> str:
        return render_cards([ProductCard.model_validate(c) for c in cards], liked, disliked, comparison, turn, language, currency)


def build_widget(gateway: ConversationGateway) -> gr.Blocks:
    """The widget's Blocks, its fixed texts in the shop's language (``catalog: zh``: Chinese)."""
    widget = Widget(gateway)
    t, language = widget.texts, widget.language
    with gr.Blocks(title=t["widget.title"], fill_width=True, analytics_enabled=False) as blocks:
        sender = gr.State("")
        conversation = gr.State("")
        cards_state = gr.State([])
        pending = gr.State("")
        person_seen = gr.State(0)  # the person's messages already in the chat
        person_timer = gr.Timer(widget.poll_s, active=False)
        gr.Markdown(f"## {t['widget.title']}", elem_id="sa-title")
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=300):
                chat = gr.Chatbot(value=widget.greeting(), height=420, label=t["widget.chat"], elem_id="sa-chat",
                                  buttons=["copy"], feedback_options=None, layout="bubble")
                chips = gr.HTML(render_examples(language), js_on_load=CLICK_JS, elem_id="sa-chips", apply_default_css=False)
                with gr.Row(equal_height=True):
                    box = gr.Textbox(placeholder=t["widget.placeholder"], show_label=False, scale=5,
                                     min_width=160, elem_id="sa-input", submit_btn=False, autofocus=True)
                    send = gr.Button(t["widget.send"], variant="primary", scale=1, min_width=70, elem_id="sa-send")
                new = gr.Button(t["widget.new_conversation"], size="sm", variant="secondary", elem_id="sa-new")
            with gr.Column(scale=2, min_width=300):
                gr.Markdown(f"### {t['widget.products']}", elem_id="sa-products-title")
                cards_html = gr.HTML(render_cards([], language=language), js_on_load=CLICK_JS, elem_id="sa-cards", apply_default_css=False)
                gr.Markdown(f"### {t['widget.cart']}", elem_id="sa-cart-title")
                cart_html = gr.HTML(render_cart([], 0.0, language, widget.currency), js_on_load=CLICK_JS, elem_id="sa-cart",
                                    apply_default_css=False)

        reply_outputs = [chat, cards_html, chips, cart_html, cards_state, sender, conversation, pending, person_timer]
        reply_inputs = [pending, chat, sender, conversation, cards_state]
        hidden: dict[str, Any] = {"api_visibility": "undocumented"}
        for trigger in (box.submit, send.click):
            trigger(widget.queue_message, [box, chat], [chat, box, pending], queue=False, **hidden).then(
                widget.reply, reply_inputs, reply_outputs, **hidden)
        for clickable in (cards_html, chips, cart_html):
            clickable.click(widget.card_action, [chat, sender, conversation, cards_state], [chat, cards_html, pending, sender, conversation],
                            **hidden).then(widget.reply, reply_inputs, reply_outputs, **hidden)
        new.click(widget.reset, None, [chat, cards_html, chips, cart_html, cards_state, conversation, person_seen, person_timer],
                  queue=False, **hidden)
        person_timer.tick(widget.person_messages, [chat, sender, conversation, person_seen], [chat, person_seen, person_timer],
                          queue=False, **hidden)
        gr.api(widget.api_chat, api_name="chat")
        gr.api(widget.api_feedback, api_name="feedback")
    return blocks


def mount_widget(app: FastAPI, gateway: ConversationGateway, path: str = "/ui") -> FastAPI:
    """Serve the widget at ``path`` of ``app``, sharing the app's gateway (one rate limit per sender for all channels)."""
    blocks = build_widget(gateway)
    blocks.queue(default_concurrency_limit=8)
    return gr.mount_gradio_app(app, blocks, path=path, css=CSS, theme=gr.themes.Soft(), ssr_mode=False, footer_links=["api"])
