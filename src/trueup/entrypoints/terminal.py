"""Output for people on a terminal, where no text is ever read as Rich markup.

SKUs, topics, order names, error details and trueup's own hints (`[shops.locations]`) may hold brackets or
colons: read as markup they vanish (`SHIRT[xl]` showed as `SHIRT`) or crash the command (`CAP[/]`). So every
console trueup makes reads no markup and no emoji codes, and every line and table cell is given to Rich as a
`Text`, which Rich never parses, whatever console prints it. Colour is a style, never a tag in the text.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Console
from rich.status import Status
from rich.table import Table
from rich.text import Text


def console(*, stderr: bool = False, quiet: bool = False) -> Console:
    """A console that prints text as it is: no markup, no emoji codes, no highlighting."""
    return Console(stderr=stderr, quiet=quiet, markup=False, emoji=False, highlight=False)


def text(value: object, style: str = "") -> Text:
    """`value` as literal text (its brackets kept), in `style` (e.g. "red")."""
    return Text(str(value), style=style)


def say(out: Console, value: object, style: str = "") -> None:
    """Print one line, literally."""
    out.print(text(value, style))


def table(title: str, columns: Iterable[str], rows: Iterable[Iterable[object]]) -> Table:
    """A table whose title, headers and cells are all literal text."""
    result = Table(title=text(title))
    for column in columns:
        result.add_column(text(column))
    for row in rows:
        result.add_row(*(text(cell) for cell in row))
    return result


def spinner(out: Console, value: object) -> Status:
    """A spinner with a literal message (`Console.status` would read its message as markup)."""
    return out.status(text(value))


def order_name(name: object, shop: object = "") -> str:
    """An order as people find it: its name and its shop, since shops number their orders alike (#1001)."""
    return f"{name} ({shop})" if shop else str(name)
