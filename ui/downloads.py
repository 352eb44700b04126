"""Downloads of person-level files: made only when clicked, and kept no longer than needed.

Streamlit serves every download from its media store at ``/media/<id>``, and that address
answers anyone who has it — no sign-in cookie is asked for — for as long as the file is kept.
A file given to ``st.download_button`` as bytes is made when the page is drawn and kept while
the session lasts (and until two of Streamlit's clean-ups after it ends). So a person-level
file (the requests behind a figure, a file's problems with its raw values) is given as a
function instead: nothing exists until the button is clicked, and the file then made is
referenced by no session. Streamlit forgets such a file at its second clean-up; the dashboard
runs those two clean-ups itself, ``KEEP_SECONDS`` apart, after each one is made, so the file
is gone within about twice that — time enough for the browser to fetch it, which it does at
once. Its address is a 128-bit hash of its contents, not guessable by anyone who doesn't have
the file already.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import streamlit as st
from streamlit import runtime

KEEP_SECONDS = 5.0


def person_level(
    label: str,
    make: Callable[[], bytes],
    file_name: str,
    *,
    key: str | None = None,
    mime: str = "text/csv",
) -> None:
    """A download button whose file is made on the click and forgotten seconds later."""
    st.download_button(
        label,
        _made_then_forgotten(make),
        file_name=file_name,
        mime=mime,
        key=key,
        on_click="ignore",
        icon=":material/download:",
    )


def _made_then_forgotten(make: Callable[[], bytes]) -> Callable[[], bytes]:
    def made() -> bytes:
        data = make()
        forget_soon()
        return data

    return made


def forget_soon(keep: float | None = None) -> None:
    """Run Streamlit's clean-up of files no session refers to twice, ``keep`` seconds apart
    (the first marks a download, the second deletes it), on a thread of its own."""
    if not runtime.exists():
        return  # not under ``streamlit run`` (a test's script runner): no media store
    pause = KEEP_SECONDS if keep is None else keep
    manager = runtime.get_instance().media_file_mgr

    def clean() -> None:
        for _ in range(2):
            time.sleep(pause)
            manager.remove_orphaned_files()

    threading.Thread(target=clean, name="forget-download", daemon=True).start()
