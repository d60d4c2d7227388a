"""Run every benchmark module ``bench/bench_*.py`` and print one table (``make bench``).

Each module exposes ``rows() -> list[Row]``. Usage: ``python -m bench.run [name ...]`` to run
only the modules whose name contains one of the given words.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

from bench.common import Row


def _format(value: float) -> str:
    """French number with one decimal, two below 1 (0,55 s must not read « 0,5 » beside a 0,5 s target)."""
    decimals = 2 if abs(value) < 1 else 1
    return f"{value:,.{decimals}f}".replace(",", "\u202f").replace(".", ",")


def print_table(rows: list[Row]) -> None:
    """Print rows as an aligned text table."""
    headers = ("Mesure", "Valeur", "Unité", "Cible", "Verdict", "Note")
    lines = [
        (r.name, _format(r.value), r.unit, "" if r.target is None else _format(r.target), r.verdict, r.note)
        for r in rows
    ]
    widths = [
        max(len(h), *(len(line[i]) for line in lines)) if lines else len(h) for i, h in enumerate(headers)
    ]
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for line in lines:
        print("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)))


def main(argv: list[str]) -> int:
    modules = sorted(p.stem for p in Path(__file__).parent.glob("bench_*.py"))
    if argv:
        modules = [m for m in modules if any(word in m for word in argv)]
    rows: list[Row] = []
    for name in modules:
        module = importlib.import_module(f"bench.{name}")
        print(f"… {name}", file=sys.stderr)
        rows.extend(module.rows())
    print_table(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
