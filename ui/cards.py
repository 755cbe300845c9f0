"""HTML for the widget: product cards, the comparison table, quick-reply chips and the cart panel.

Every value is escaped; buttons carry ``data-action`` attributes that the widget's click handler turns into events.
Labels are in the turn's language (the phrasebooks of ``assistant.generators.phrases``, via ``ui.texts``); amounts in
their currency ($1,299.00, ¥1,299.00 for CNY).
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from assistant.generators.phrases import DEFAULT_CURRENCY, Phrasebook, money
from dialogue.plan import ComparisonTable, ProductCard
from dialogue.state import CartItem
from ui.texts import attribute_name, book, comparison_cell, reason, widget_examples

CSS = """
.sa-cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(210px, 1fr)); gap: 10px; }
.sa-card { border: 1px solid var(--border-color-primary, #ddd); border-radius: 10px; padding: 10px; display: flex;
           flex-direction: column; gap: 6px; background: var(--block-background-fill, #fff); }
.sa-card.sa-liked { border-color: #16a34a; box-shadow: 0 0 0 2px #16a34a33; }
.sa-card.sa-disliked { opacity: .6; }
.sa-card h4 { margin: 0; font-size: 1rem; line-height: 1.25; }
.sa-meta { display: flex; justify-content: space-between; align-items: baseline; gap: 6px; flex-wrap: wrap; }
.sa-price { font-weight: 700; font-size: 1.05rem; }
.sa-rating { color: #b45309; font-size: .9rem; }
.sa-stock { font-size: .8rem; color: #b91c1c; }
.sa-attrs { margin: 0; padding: 0; list-style: none; font-size: .82rem; color: var(--body-text-color-subdued, #555); }
.sa-why { font-size: .82rem; background: #eff6ff; color: #1e3a8a; border-radius: 6px; padding: 4px 6px; margin: 0; }
.sa-actions { display: flex; gap: 6px; flex-wrap: wrap; margin-top: auto; }
.sa-actions button, .sa-chip { border: 1px solid var(--border-color-primary, #ccc); border-radius: 999px; padding: 4px 10px;
           background: var(--button-secondary-background-fill, #f4f4f5); cursor: pointer; font-size: .85rem; min-height: 32px; }
.sa-actions button[aria-pressed="true"] { background: #dcfce7; border-color: #16a34a; }
.sa-chips { display: flex; gap: 6px; flex-wrap: wrap; align-items: center; }
.sa-hint { font-size: .85rem; color: var(--body-text-color-subdued, #666); }
.sa-question { width: 100%; font-size: .9rem; margin: 0 0 2px; }
.sa-chip.sa-option { background: #eef2ff; border-color: #6366f1; }
.sa-cart table, .sa-compare table { width: 100%; border-collapse: collapse; font-size: .85rem; }
.sa-cart td, .sa-cart th, .sa-compare td, .sa-compare th { border-bottom: 1px solid #e5e7eb; padding: 4px; text-align: left; }
.sa-compare tr.sa-differs td { font-weight: 600; }
.sa-empty { color: var(--body-text-color-subdued, #666); font-size: .9rem; }
.sa-compare { overflow-x: auto; margin-bottom: 8px; }
@media (max-width: 480px) { .sa-cards { grid-template-columns: 1fr; } }
"""

#: Click handler of the cards, chips and cart components (Gradio's ``js_on_load``).
CLICK_JS = """
element.addEventListener('click', (event) => {
  const button = event.target.closest('button[data-action]');
  if (!button) return;
  trigger('click', {action: button.dataset.action, product_id: button.dataset.product || '', text: button.dataset.text || ''});
});
"""


def _money(value: float, currency: str = DEFAULT_CURRENCY) -> str:
    """$1,299.00, ¥1,299.00 (CNY), €…, £…, or "1,299.00 CHF" (``assistant.generators.phrases.money``), escaped."""
    return escape(money(value, currency))


def render_cards(cards: Iterable[ProductCard], liked: Iterable[str] = (), disliked: Iterable[str] = (),
                 comparison: ComparisonTable | None = None, turn: int | None = None, language: str = "en",
                 currency: str | None = None) -> str:
    """The product panel; ``turn`` (the turn that produced it) marks a finished reply as ``data-turn``. Labels are in
    ``language`` (the turn's); ``currency``: the comparison's prices (default: the cards' currency, when they share one)."""
    cards = list(cards)
    p = book(language)
    liked_ids, disliked_ids = set(liked), set(disliked)
    items = [_card(card, card.product_id in liked_ids, card.product_id in disliked_ids, p) for card in cards]
    if currency is None and len({card.currency for card in cards}) == 1:
        currency = cards[0].currency
    table = render_comparison(comparison, p.language, currency) if comparison is not None else ""
    marker = f' data-turn="{turn}"' if turn is not None else ""
    if not items and not table:
        return f'<div class="sa-panel"{marker}><p class="sa-empty">{escape(p["card.empty_panel"])}</p></div>'
    return f'<div class="sa-panel"{marker}>' + table + (f'<div class="sa-cards">{"".join(items)}</div>' if items else "") + "</div>"


def _card(card: ProductCard, liked: bool, disliked: bool, p: Phrasebook) -> str:
    pid = escape(card.product_id, quote=True)
    classes = "sa-card" + (" sa-liked" if liked else "") + (" sa-disliked" if disliked else "")
    rating = (f'<span class="sa-rating">{escape(p("card.rating", rating=card.rating, count=f"{card.review_count or 0:,}"))}</span>'
              if card.rating is not None else "")
    attrs = "".join(f"<li><b>{escape(attribute_name(k, p.language))}</b>{escape(p['card.label_sep'])}{escape(_values(v, p))}</li>"
                    for k, v in list(card.key_attributes.items())[:4])
    reasons = [reason(r, p.language, card.currency) for r in card.reasons[:3]]
    why = f'<p class="sa-why">{escape(p("card.why_text", reasons=p["card.why_sep"].join(reasons)))}</p>' if reasons else ""
    stock = "" if card.in_stock else f'<span class="sa-stock">{escape(p["card.out_of_stock"])}</span>'
    brand = f"{escape(card.brand)} · " if card.brand else ""
    add_text = escape(p("card.add_text", ordinal=p.ordinal(card.position)), quote=True)
    return (
        f'<article class="{classes}" data-product="{pid}" data-position="{card.position}">'
        f"<h4>{card.position}. {escape(card.title)}</h4>"
        f'<div class="sa-meta"><span class="sa-price">{_money(card.price, card.currency)}</span>{rating}{stock}</div>'
        f'<div class="sa-attrs-head">{brand}{escape(card.category.split(" > ")[-1])}</div>'
        f'<ul class="sa-attrs">{attrs}</ul>{why}'
        '<div class="sa-actions">'
        f'<button type="button" data-action="like" data-product="{pid}" aria-pressed="{str(liked).lower()}" '
        f'title="{escape(p["card.like_hint"], quote=True)}">{escape(p["card.like"])}</button>'
        f'<button type="button" data-action="dislike" data-product="{pid}" aria-pressed="{str(disliked).lower()}" '
        f'title="{escape(p["card.dislike_hint"], quote=True)}">{escape(p["card.dislike"])}</button>'
        f'<button type="button" data-action="add" data-product="{pid}" data-text="{add_text}">{escape(p["card.add_to_cart"])}</button>'
        "</div></article>"
    )


def _values(values: str, p: Phrasebook) -> str:
    """A card attribute's values ("40, 41") joined as the language joins a list ("40、41")."""
    return values if p.language == "en" else p.items(values.split(", "))


def render_comparison(table: ComparisonTable, language: str = "en", currency: str | None = None) -> str:
    """The comparison table: row names and the rating/stock cells in ``language``, prices in ``currency``."""
    head = "".join(f"<th>{escape(t)}</th>" for t in table.titles)
    rows = "".join(
        f'<tr class="{"sa-differs" if row.differs else ""}"><td>{escape(attribute_name(row.attribute, language))}</td>'
        + "".join(f"<td>{escape(comparison_cell(row.attribute, v, language, currency))}</td>" for v in row.values) + "</tr>"
        for row in table.rows
    )
    return f'<div class="sa-compare"><table><thead><tr><th></th>{head}</tr></thead><tbody>{rows}</tbody></table></div>'


def render_chips(quick_replies: Iterable[str], question: str | None = None) -> str:
    """Quick replies as chips; a clarifying question's options as buttons under the question. The texts come in the
    turn's language (the assistant localizes quick replies)."""
    replies = list(quick_replies)
    if not replies:
        return ""
    kind = "sa-chip sa-option" if question else "sa-chip"
    label = f'<p class="sa-question">{escape(question)}</p>' if question else ""
    return f'<div class="sa-chips">{label}{_chips(replies, kind)}</div>'


def render_examples(language: str = "en") -> str:
    """Example prompts as chips ("Try: …"), shown before the first message of a conversation."""
    p = book(language)
    return f'<div class="sa-chips sa-examples"><span class="sa-hint">{escape(p["widget.examples"])}</span>{_chips(widget_examples(p.language), "sa-chip")}</div>'


def _chips(texts: Iterable[str], kind: str) -> str:
    return "".join(
        f'<button type="button" class="{kind}" data-action="say" data-text="{escape(t, quote=True)}">{escape(t)}</button>' for t in texts
    )


def render_cart(items: Iterable[CartItem], total: float, language: str = "en", currency: str = DEFAULT_CURRENCY) -> str:
    """The cart panel: labels in ``language``, amounts in ``currency`` (the shop's: cart lines carry none)."""
    p = book(language)
    lines = list(items)
    if not lines:
        return f'<div class="sa-cart"><p class="sa-empty">{escape(p["card.cart_empty"])}</p></div>'
    rows = "".join(
        f"<tr><td>{escape(i.title)}{_variant(i.variant, p)}</td><td>{i.quantity}</td><td>{_money(i.line_total, currency)}</td></tr>"
        for i in lines
    )
    head = "".join(f"<th>{escape(p[key])}</th>" for key in ("card.cart_item", "card.cart_quantity", "card.cart_total"))
    return (
        f'<div class="sa-cart"><table><thead><tr>{head}</tr></thead>'
        f'<tbody>{rows}</tbody><tfoot><tr><th colspan=2>{escape(p["card.cart_total"])}</th><th>{_money(total, currency)}</th></tr></tfoot></table>'
        '<div class="sa-chips">'
        f'<button type="button" class="sa-chip" data-action="say" data-text="{escape(p["card.checkout"], quote=True)}">{escape(p["card.checkout"])}</button>'
        f'<button type="button" class="sa-chip" data-action="say" data-text="{escape(p["card.view_cart_text"], quote=True)}">'
        f'{escape(p["card.view_cart"])}</button></div></div>'
    )


def _variant(variant: dict[str, str], p: Phrasebook) -> str:
    if not variant:
        return ""
    values = p.items(p("card.variant", name=attribute_name(k, p.language), value=v) for k, v in variant.items())
    return f" <small>{escape(p('fmt.variant', values=values).strip())}</small>"
