"""Text cells of an import's rows: read, joined, annotated (every function keeps the rows' index)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


def text_column(frame: pd.DataFrame, column: str | None) -> pd.Series:
    """The stripped text of ``column`` (empty strings when there is no such column)."""
    if not column:
        return pd.Series("", index=frame.index, dtype=object)
    return frame[column].astype(object).fillna("").astype(str).str.strip()


def joined(frame: pd.DataFrame, columns: Sequence[str], separator: str = " — ") -> pd.Series:
    """Non-empty cells of ``columns`` joined by ``separator``, row by row."""
    out = pd.Series("", index=frame.index, dtype=object)
    for column in columns:
        values = text_column(frame, column)
        both = (out != "") & (values != "")
        out = (out + np.where(both, separator, "") + values).astype(object)
    return out


def join_notes(*parts: pd.Series) -> pd.Series:
    """The non-empty notes of each row, joined by « ; »."""
    out = parts[0].astype(object)
    for part in parts[1:]:
        out = pd.Series(
            np.where(out == "", part, np.where(part == "", out, out + " ; " + part)),
            index=out.index,
            dtype=object,
        )
    return out


def add_note(notes: pd.Series, mask: pd.Series, text: pd.Series | str) -> pd.Series:
    """``notes`` with ``text`` added, after « ; », on the rows of ``mask``."""
    values = text if isinstance(text, pd.Series) else pd.Series(text, index=notes.index)
    joined = notes.where(notes == "", notes + " ; ") + values
    return notes.where(~mask, joined)
