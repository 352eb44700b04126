"""The dashboard's own look: fixed CSS of ours, with no user text in it, and the tab icon.

Captions are darkened from Streamlit's faded text (its colour at 60% opacity: #999b9d on
white, 2.8:1) to pass WCAG AA contrast (4.5:1) for small text: axe found them on five pages.
The icon is a file of ours, so the browser asks no other host for it (a ``:material/…:`` page
icon is fetched from Google).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

ICON = Path(__file__).resolve().parent / "assets" / "icon.png"
CAPTION = "#55585c"  # 7.1:1 on white

BASE = f"""
<style>
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p {{
  color: {CAPTION};
  opacity: 1;
}}
</style>
"""


def apply() -> None:
    """Every page's shared style (called by app.py once per run)."""
    st.html(BASE)
