"""The Upload page's saved mapping profiles: the list, download one as TOML, remove one,
upload one made elsewhere (checked before it is saved, like every profile).

Profile names and refusals are the user's own text: shown only as options, ``st.text`` and
tables. Every change clears the page's checked files, so they are read again with it.
"""

from __future__ import annotations

import re
from pathlib import PurePath

import streamlit as st

from evaluation.core.contract import KINDS
from evaluation.ingest.mapping_profile import ProfileError
from evaluation.ingest.mapping_saved import save_profile
from evaluation.present.formats import uk_time
from evaluation.store import profiles
from evaluation.store.connection import Store
from ui import components
from ui.session import current_user


def file_name(name: str) -> str:
    """A profile's name as a safe file name for its download."""
    stem = re.sub(r"[^A-Za-z0-9 _.-]+", "", name).strip(" .") or "mapping-profile"
    return PurePath(stem[:80]).name + ".toml"


def saved_block(store: Store) -> None:
    """The saved profiles: a table, download or remove one, upload one made elsewhere."""
    st.header("Mapping profiles")
    st.write(
        "A profile says how one export's headings and values read as the data contract's "
        "(the format is in the README, 'Your own export'). Download one to keep it or to "
        "use it on another dashboard; upload one to save it here."
    )
    saved = profiles.saved_profiles(store)
    if not saved:
        st.info("No mapping profiles yet: upload a file with its own headings to make one.")
    else:
        components.table(
            [
                {
                    "name": p.name,
                    "kind": KINDS[p.kind].label if p.kind in KINDS else p.kind,
                    "saved": uk_time(p.saved_at),
                    "saved by": p.saved_by,
                }
                for p in saved
            ]
        )
        pick = st.selectbox(
            "Profile", range(len(saved)), format_func=lambda i: saved[i].name, key="profile-pick"
        )
        chosen = saved[pick]
        st.download_button(
            "Download the profile (TOML)",
            chosen.text.encode("utf-8"),
            file_name=file_name(chosen.name),
            mime="application/toml",
            key="profile-download",
        )
        _remove_form(store, chosen.name)
    _upload(store)


def _remove_form(store: Store, name: str) -> None:
    with st.form("remove-profile"):
        sure = st.checkbox("Yes, remove this profile")
        if not st.form_submit_button("Remove the profile"):
            return
        if not sure:
            st.warning("Tick the box to confirm.")
            return
        profiles.remove_profile(store, name)
        st.session_state["mapping_saved"] = "Removed the mapping profile."
        st.session_state.pop("checked", None)
        st.rerun()


def _upload(store: Store) -> None:
    # Behind a toggle: the page's own uploader stays the one file input until it is wanted.
    if not st.toggle("Upload a profile made elsewhere", key="profile-upload-open"):
        return
    given = st.file_uploader("Upload a profile (.toml)", type=["toml"], key="profile-upload")
    done: dict[str, str | None] = st.session_state.setdefault("profiles_uploaded", {})
    if given is not None and given.file_id not in done:
        try:  # saved once, not again on every rerun; a refusal stays shown while it is there
            profile, replaced = save_profile(store, given.getvalue(), by=current_user())
        except ProfileError as error:
            done[given.file_id] = str(error)
        else:
            done[given.file_id] = None
            what = "Replaced" if replaced else "Saved"
            st.session_state["profile_uploaded"] = f"{what} the mapping profile: {profile.name}"
            st.session_state.pop("checked", None)
            st.rerun()  # the files above are read again with it
    if given is not None and done.get(given.file_id):
        st.error("The profile can't be saved:")
        st.text(done[given.file_id])
    if text := st.session_state.pop("profile_uploaded", None):
        st.success("The profile was checked and saved.")
        st.text(text)
