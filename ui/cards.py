"""HTML for the widget: product cards, the comparison table, quick-reply chips and the cart panel.

Every value is escaped; buttons carry ``data-action`` attributes that the widget's click handler turns into events.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from dialogue.plan import ComparisonTable, ProductCard
from dialogue.state import CartItem

ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")

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


def _money(value: float, currency: str = "USD") -> str:
    symbol = {"USD": "$", "EUR": "€", "GBP": "£"}.get(currency)
    return f"{symbol}{value:,.2f}" if symbol else f"{value:,.2f} {escape(currency)}"


def render_cards(cards: Iterable[ProductCard], liked: Iterable[str] = (), disliked: Iterable[str] = (),
                 comparison: ComparisonTable | None = None, turn: int | None = None) -> str:
    """The product panel; ``turn`` (the turn that produced it) marks a finished reply as ``data-turn``."""
    liked_ids, disliked_ids = set(liked), set(disliked)
    items = [_card(card, card.product_id in liked_ids, card.product_id in disliked_ids) for card in cards]
    table = render_comparison(comparison) if comparison is not None else ""
    marker = f' data-turn="{turn}"' if turn is not None else ""
    if not items and not table:
        return f'<div class="sa-panel"{marker}><p class="sa-empty">Products I find show up here.</p></div>'
    return f'<div class="sa-panel"{marker}>' + table + (f'<div class="sa-cards">{"".join(items)}</div>' if items else "") + "</div>"


def _card(card: ProductCard, liked: bool, disliked: bool) -> str:
    pid = escape(card.product_id, quote=True)
    classes = "sa-card" + (" sa-liked" if liked else "") + (" sa-disliked" if disliked else "")
    rating = f'<span class="sa-rating">★ {card.rating:.1f} ({card.review_count})</span>' if card.rating is not None else ""
    attrs = "".join(f"<li><b>{escape(k)}</b>: {escape(v)}</li>" for k, v in list(card.key_attributes.items())[:4])
    why = f'<p class="sa-why">Why: {escape("; ".join(card.reasons[:3]))}</p>' if card.reasons else ""
    stock = "" if card.in_stock else '<span class="sa-stock">out of stock</span>'
    brand = f"{escape(card.brand)} · " if card.brand else ""
    ordinal = ORDINALS[card.position - 1] if 1 <= card.position <= len(ORDINALS) else f"#{card.position}"
    return (
        f'<article class="{classes}" data-product="{pid}" data-position="{card.position}">'
        f"<h4>{card.position}. {escape(card.title)}</h4>"
        f'<div class="sa-meta"><span class="sa-price">{_money(card.price, card.currency)}</span>{rating}{stock}</div>'
        f'<div class="sa-attrs-head">{brand}{escape(card.category.split(" > ")[-1])}</div>'
        f'<ul class="sa-attrs">{attrs}</ul>{why}'
        '<div class="sa-actions">'
        f'<button type="button" data-action="like" data-product="{pid}" aria-pressed="{str(liked).lower()}" title="More like this">Like</button>'
        f'<button type="button" data-action="dislike" data-product="{pid}" aria-pressed="{str(disliked).lower()}" title="Fewer like this">Dislike</button>'
        f'<button type="button" data-action="add" data-product="{pid}" data-text="add the {ordinal} one to my cart">Add to cart</button>'
        "</div></article>"
    )


def render_comparison(table: ComparisonTable) -> str:
    head = "".join(f"<th>{escape(t)}</th>" for t in table.titles)
    rows = "".join(
        f'<tr class="{"sa-differs" if row.differs else ""}"><td>{escape(row.attribute)}</td>'
        + "".join(f"<td>{escape(v)}</td>" for v in row.values) + "</tr>"
        for row in table.rows
    )
    return f'<div class="sa-compare"><table><thead><tr><th></th>{head}</tr></thead><tbody>{rows}</tbody></table></div>'


def render_chips(quick_replies: Iterable[str], question: str | None = None) -> str:
    """Quick replies as chips; a clarifying question's options as buttons under the question."""
    replies = list(quick_replies)
    if not replies:
        return ""
    kind = "sa-chip sa-option" if question else "sa-chip"
    label = f'<p class="sa-question">{escape(question)}</p>' if question else ""
    chips = "".join(
        f'<button type="button" class="{kind}" data-action="say" data-text="{escape(r, quote=True)}">{escape(r)}</button>' for r in replies
    )
    return f'<div class="sa-chips">{label}{chips}</div>'


def render_cart(items: Iterable[CartItem], total: float) -> str:
    lines = list(items)
    if not lines:
        return '<div class="sa-cart"><p class="sa-empty">Your cart is empty.</p></div>'
    rows = "".join(
        f"<tr><td>{escape(i.title)}{_variant(i.variant)}</td><td>{i.quantity}</td><td>{_money(i.line_total)}</td></tr>" for i in lines
    )
    return (
        '<div class="sa-cart"><table><thead><tr><th>Item</th><th>Qty</th><th>Total</th></tr></thead>'
        f"<tbody>{rows}</tbody><tfoot><tr><th colspan=2>Total</th><th>{_money(total)}</th></tr></tfoot></table>"
        '<div class="sa-chips"><button type="button" class="sa-chip" data-action="say" data-text="Checkout">Checkout</button>'
        '<button type="button" class="sa-chip" data-action="say" data-text="show my cart">View cart</button></div></div>'
    )


def _variant(variant: dict[str, str]) -> str:
    return f' <small>({escape(", ".join(f"{k} {v}" for k, v in variant.items()))})</small>' if variant else ""
