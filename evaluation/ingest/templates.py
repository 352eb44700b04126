"""Empty CSV templates and the column reference, both from the contract models."""

from __future__ import annotations

from collections.abc import Sequence

from evaluation.core.contract import KINDS


def header_csv(columns: Sequence[str]) -> bytes:
    """A header row ready to fill in a spreadsheet (UTF-8 with BOM for Excel, CRLF)."""
    return ("\ufeff" + ",".join(columns) + "\r\n").encode("utf-8")


def template_csv(kind: str) -> bytes:
    """The header row of a kind's CSV."""
    return header_csv(KINDS[kind].columns)


def columns_table(kind: str) -> list[dict[str, str]]:
    """One row per column: name, whether it is required, what it means."""
    spec = KINDS[kind]
    return [
        {
            "column": column,
            "required": "yes" if column in spec.required else "no",
            "meaning": spec.description(column),
        }
        for column in spec.columns
    ]
