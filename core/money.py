"""Amounts as a shop writes them, by currency: $1,299.00, ¥1,299.00, €1,299.00, or 1,299.00 CHF."""

from __future__ import annotations

#: Currency symbols written before the amount; other currencies are written "1,299.00 CHF".
CURRENCY_SYMBOLS = {"USD": "$", "CNY": "¥", "RMB": "¥", "EUR": "€", "GBP": "£"}


def money(value: float, currency: str = "USD") -> str:
    """``value`` in ``currency`` with two decimals and thousands separators."""
    symbol = CURRENCY_SYMBOLS.get(currency.upper())
    return f"{symbol}{value:,.2f}" if symbol else f"{value:,.2f} {currency.upper()}"
