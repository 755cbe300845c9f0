"""Amounts as a shop writes them, by currency: $1,299.00, ¥1,299.00, €1,299.00, or 1,299.00 CHF."""

from __future__ import annotations

#: Currency symbols written before the amount; other currencies are written "1,299.00 CHF".
CURRENCY_SYMBOLS = {"USD": "$", "CNY": "¥", "RMB": "¥", "EUR": "€", "GBP": "£"}


def money(value: float, currency: str = "USD", *, short: bool = False) -> str:
    """``value`` in ``currency`` with two decimals and thousands separators; ``short``: a whole amount without its
    cents, as terms and conditions write it ($50, ¥99, $5.99)."""
    symbol = CURRENCY_SYMBOLS.get(currency.upper())
    number = f"{value:,.0f}" if short and float(value).is_integer() else f"{value:,.2f}"
    return f"{symbol}{number}" if symbol else f"{number} {currency.upper()}"
