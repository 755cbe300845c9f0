"""Printing results from CLI commands: a readable table, or one JSON object with ``--json``."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel
from rich.console import Console
from rich.table import Table

console = Console()

JSON_HELP = "Print one JSON object instead of a table."


def emit(result: BaseModel | dict[str, Any] | list[Any], *, as_json: bool, title: str = "") -> None:
    data = result.model_dump(mode="json") if isinstance(result, BaseModel) else result
    if as_json:
        print(json.dumps(data, ensure_ascii=False))
        return
    if isinstance(data, dict):
        table = Table(title=title or None, show_header=False)
        for key, value in data.items():
            table.add_row(str(key), value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
        console.print(table)
    else:
        console.print_json(data=data)
