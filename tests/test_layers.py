"""The layout holds: layers import only downwards, nothing imports in a circle, pages are thin.

Read from the source (every import, top-level or inside a function), so a late import can't
hide a cycle or an upward call. The layers, lowest first (README "How the code is laid out"):

    core < store < admin < ingest | measures < present < meeting < cli

``ingest`` and ``measures`` stand side by side: neither imports the other. ``evaluation``
never imports streamlit or the dashboard (``ui``, ``pages``); the dashboard never imports the
command line. A page holds no SQL, no chart and no formatting of its own.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.harness import ROOT

RANK = {
    "core": 0,
    "store": 1,
    "admin": 2,
    "ingest": 3,
    "measures": 3,
    "present": 4,
    "meeting": 5,
    "cli": 6,
}
MAX_LINES = 400


def modules(folder: str) -> list[Path]:
    return sorted(p for p in (ROOT / folder).rglob("*.py") if "__pycache__" not in p.parts)


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> Iterator[tuple[int, str]]:
    """(line, module imported) for every import in the file, wherever it stands."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.lineno, node.module
            for alias in node.names:  # ``from evaluation.measures import survey``
                yield node.lineno, f"{node.module}.{alias.name}"


def layer(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "evaluation" and parts[1] in RANK else None


def known(name: str) -> bool:
    """Whether ``name`` is one of our modules (not a name imported from one)."""
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


EVALUATION = [p for p in modules("evaluation") if p.parent != ROOT / "evaluation"]


@pytest.mark.parametrize("path", EVALUATION, ids=module_name)
def test_a_layer_imports_only_layers_below_it(path: Path) -> None:
    own = layer(module_name(path))
    assert own is not None, f"{path} is outside every layer"
    wrong = []
    for line, name in imports(path):
        other = layer(name)
        if other is None or other == own:
            continue
        if RANK[other] >= RANK[own]:
            wrong.append(f"line {line}: {own} imports {name} ({other} is not below {own})")
    assert not wrong, "\n".join(wrong)


def test_the_domain_never_imports_streamlit_or_the_dashboard() -> None:
    found = [
        f"{module_name(p)} line {line}: {name}"
        for p in modules("evaluation")
        for line, name in imports(p)
        if name.split(".")[0] in {"streamlit", "ui", "pages"}
    ]
    assert not found, "\n".join(found)


def test_the_dashboard_never_imports_the_command_line() -> None:
    files = [*modules("pages"), *modules("ui"), ROOT / "app.py"]
    found = [
        f"{p.relative_to(ROOT)} line {line}: {name}"
        for p in files
        for line, name in imports(p)
        if name.startswith("evaluation.cli")
    ]
    assert not found, "\n".join(found)


def test_nothing_imports_in_a_circle() -> None:
    graph: dict[str, set[str]] = {}
    for path in [*modules("evaluation"), *modules("ui")]:
        name = module_name(path)
        graph[name] = {
            other
            for _, other in imports(path)
            if other.split(".")[0] in {"evaluation", "ui"} and known(other) and other != name
        }
    # A package's __init__ imports nothing here, so an edge to a package leads nowhere.
    seen: dict[str, int] = {}  # 1 visiting, 2 done

    def visit(node: str, trail: list[str]) -> None:
        seen[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if seen.get(nxt) == 1:
                cycle = [*trail[trail.index(nxt) :], nxt] if nxt in trail else [node, nxt]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if nxt not in seen:
                visit(nxt, [*trail, nxt])
        seen[node] = 2

    for node in sorted(graph):
        if node not in seen:
            visit(node, [node])


def test_every_module_is_under_400_lines() -> None:
    files = [*modules("evaluation"), *modules("ui"), *modules("pages"), ROOT / "app.py"]
    long = {
        str(p.relative_to(ROOT)): n
        for p in files
        if (n := len(p.read_text().splitlines())) > MAX_LINES
    }
    assert not long


def _format_specs(tree: ast.AST) -> Iterator[int]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FormattedValue) and node.format_spec is not None:
            yield node.lineno


@pytest.mark.parametrize("path", modules("pages"), ids=lambda p: p.name)
def test_a_page_is_thin(path: Path) -> None:
    """No SQL, no chart library, no formatting, no command line: a page reads filters, takes
    kept figures and hands their presentation to a ``ui`` block."""
    text = path.read_text()
    tree = ast.parse(text)
    assert ast.get_docstring(tree), f"{path.name} has no docstring naming its figures"
    names = {name.split(".")[0] for _, name in imports(path)}
    assert not names & {"altair", "duckdb", "pandas"}, f"{path.name} draws or queries itself"
    assert "SELECT " not in text.upper(), f"{path.name} holds SQL"
    specs = list(_format_specs(tree))
    assert not specs, f"{path.name} formats figures itself (lines {specs})"
