"""Test harness shared by every test module: stores, a real ``streamlit run``, a browser.

Browser tests drive Debian's Chromium through Playwright against ``streamlit run`` on a free
local port, with the store path and pseudonym key passed in the environment, exactly as a
council would deploy it.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from evaluation.store.connection import Store

ROOT = Path(__file__).resolve().parent.parent
TEST_KEY = "test-pseudonym-key-not-secret"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu"]


def open_store(path: Path) -> Store:
    return Store(path, key=TEST_KEY)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def streamlit_server(
    db_path: Path,
    extra_env: dict[str, str] | None = None,
    port: int | None = None,
    script: Path = ROOT / "app.py",
) -> Iterator[str]:
    """Run ``streamlit run app.py`` on a free port against ``db_path``; yield its base URL.

    The store must be closed by the caller before the server starts: DuckDB lets only one
    process open a file for writing. Give ``port`` when the URL must be known beforehand (the
    sign-in tests write it into the secrets as the redirect URI); ``script`` to serve another
    script (the load test's floor).
    """
    port = port or free_port()
    env = {
        **os.environ,
        "EVALUATION_DB": str(db_path),
        "EVALUATION_PSEUDONYM_KEY": TEST_KEY,
        "EVALUATION_SAMPLE": "off",
        **(extra_env or {}),
    }
    log = db_path.with_suffix(".server.log")
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                sys.executable, "-m", "streamlit", "run", str(script),
                "--server.port", str(port), "--server.address", "127.0.0.1",
                "--server.headless", "true", "--browser.gatherUsageStats", "false",
            ],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not start:\n{log.read_text()}")
            time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def wait_for_app(page, timeout: float = 30_000) -> None:  # type: ignore[no-untyped-def]
    """Wait until Streamlit has finished running the script (no 'running' indicator)."""
    page.wait_for_selector("[data-testid='stApp']", timeout=timeout)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')",
        timeout=timeout,
    )


def open_on_fresh_server(page, url: str, path: str) -> None:  # type: ignore[no-untyped-def]
    """Open ``path`` (with its query) on a newly started server, as a running dashboard has it.

    A fresh server spends its first run leaving Streamlit's pages/ folder mode, which sends a
    deep link whose url_path differs from its file name to the home page: the home page is
    opened first, then the page, and its run waited for."""
    page.goto(url)
    page.get_by_role("heading", name="Three Conversations evaluation").wait_for()
    page.goto(f"{url}/{path}")
    wait_for_app(page)
