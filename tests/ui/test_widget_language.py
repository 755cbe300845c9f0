"""The widget speaks the shop's language: a Chinese shop (``catalog: zh``) gets Chinese fixed texts (title, greeting,
input, buttons, example prompts) and a Chinese turn gets Chinese cards, chips and cart panel; an English shop is unchanged."""

from __future__ import annotations

import re
from typing import Any

import gradio as gr

from assistant.channel import ConversationGateway
from core.language import has_han
from ui.app import Widget, build_widget

ENGLISH_WORD = re.compile(r"[A-Za-z]{2,}")


def _components(blocks: gr.Blocks) -> dict[str, Any]:
    return {c.elem_id: c for c in blocks.blocks.values() if getattr(c, "elem_id", None)}


def _fixed_texts(blocks: gr.Blocks) -> dict[str, str]:
    parts = _components(blocks)
    return {
        "title": blocks.title, "heading": parts["sa-title"].value, "greeting": _text(parts["sa-chat"].value[0]["content"]),
        "chat": parts["sa-chat"].label, "placeholder": parts["sa-input"].placeholder, "send": parts["sa-send"].value,
        "new": parts["sa-new"].value, "products": parts["sa-products-title"].value, "cart": parts["sa-cart-title"].value,
        "examples": parts["sa-chips"].value, "empty panel": parts["sa-cards"].value, "empty cart": parts["sa-cart"].value,
    }


def _text(content: Any) -> str:
    """A chat message's text (Gradio keeps a message's content as a list of parts)."""
    return content if isinstance(content, str) else "".join(part.get("text", "") for part in content)


def _words(html: str) -> str:
    """The text of HTML, without tags and attributes."""
    return re.sub(r"<[^>]+>", " ", html)


def test_a_chinese_shop_gets_a_chinese_widget(assistant_factory) -> None:  # type: ignore[no-untyped-def]
    assistant = assistant_factory(catalog="zh")
    assert assistant.settings.currency == "CNY"
    blocks = build_widget(ConversationGateway(assistant, assistant.settings))
    texts = _fixed_texts(blocks)
    for name, text in texts.items():
        words = _words(text).replace("ShopAssist", "")
        assert has_han(words) and not ENGLISH_WORD.search(words), f"{name} is not Chinese: {text!r}"
    assert texts["title"] == "ShopAssist 导购助手"
    assert texts["placeholder"] == "找商品、比较商品、加入购物车……"
    assert (texts["send"], texts["new"]) == ("发送", "新对话")
    for example in ("我想买一双跑步鞋，500元以内", "退货政策是什么"):
        assert f'data-action="say" data-text="{example}"' in texts["examples"]  # a click sends it
    assert "您的购物车是空的。" in texts["empty cart"]

    reset = Widget(ConversationGateway(assistant, assistant.settings)).reset()
    assert reset[0][0]["content"].startswith("您好！") and "退货政策是什么" in reset[2]  # a new conversation: greeting, examples


def test_a_chinese_turn_gets_chinese_cards_and_cart(assistant_factory) -> None:  # type: ignore[no-untyped-def]
    """The turn's language (the message's script) picks the panels' language, even in an English shop."""
    assistant = assistant_factory()
    widget = Widget(ConversationGateway(assistant, assistant.settings))
    *_, (chat, cards, chips, cart, state, sender, conversation_id, _, _) = widget.reply("跑步鞋", [], "", "", [])
    assert chat[-1]["content"] and assistant.state(conversation_id, sender).language == "zh"
    assert "您的购物车是空的。" in cart
    assert 'data-turn="0"' in cards and "sa-card" in cards, cards  # the (English) demo catalog's running shoes
    for label in ("加入购物车", "喜欢", "把第一个加入购物车"):
        assert label in cards, label
    assert not re.search(r">(Like|Dislike|Add to cart|Why:)", cards)
    if chips:
        assert has_han(_words(chips)), chips

    # a like re-renders the cards in the conversation's language
    evt = gr.EventData(None, {"action": "like", "product_id": state[0]["product_id"]})
    _, liked_cards, *_ = widget.card_action(evt, chat, sender, conversation_id, state)
    assert "sa-liked" in liked_cards and "加入购物车" in liked_cards

    # English turns keep the English panels
    *_, (_, en_cards, _, en_cart, _, _, _, _, _) = widget.reply("running shoes under 100", chat, sender, conversation_id, state)
    assert "Add to cart" in en_cards and "加入购物车" not in en_cards and "Your cart is empty." in en_cart


def test_an_english_shop_keeps_its_english_widget(assistant_factory) -> None:  # type: ignore[no-untyped-def]
    assistant = assistant_factory()
    texts = _fixed_texts(build_widget(ConversationGateway(assistant, assistant.settings)))
    assert texts["title"] == "ShopAssist" and texts["send"] == "Send" and texts["new"] == "New conversation"
    assert texts["placeholder"] == "Ask for a product, compare, add to cart…"
    assert texts["greeting"] == "Hi! I'm ShopAssist. Tell me what you're looking for — e.g. “running shoes under $100”."
    assert 'data-text="running shoes under $100"' in texts["examples"] and not has_han(_words(texts["examples"]))
    assert "Your cart is empty." in texts["empty cart"]
