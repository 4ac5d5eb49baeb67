"""The import graph of the engine and the bot, read with ``ast`` (nothing is imported).

One direction of flow: no module imports, even lazily inside a function, a module that
imports it back (directly or round a longer loop), and the engine never imports the bot or
Telegram. Every import statement counts, wherever it is in the file.
"""

from __future__ import annotations

import ast
from pathlib import Path

from summarizer.settings import PROJECT_ROOT

PACKAGES = ("summarizer", "bot")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PROJECT_ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for package in PACKAGES for p in sorted((PROJECT_ROOT / package).rglob("*.py"))}


def _imported(name: str, path: Path, known: set[str]) -> set[str]:
    """Every module ``name`` imports, resolved to the most specific module of ours (or kept as written)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # `from pkg import mod` imports the module pkg.mod; `from mod import name` imports mod.
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        else:
            continue
        for target in targets:
            while target not in known and "." in target:
                target = target.rpartition(".")[0]
            found.add(target)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: _imported(name, path, known) for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (or a module importing itself), Tarjan's way."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in graph:
                continue  # a library
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1 or node in graph[node]:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_finder_sees_lazy_relative_and_package_imports():
    graph = import_graph()
    assert "summarizer.fetch" in graph["summarizer.brief"]  # imported inside a function
    assert "summarizer.speech.quotes" in graph["summarizer.summarize"]  # from .speech.quotes import ...
    assert "summarizer.cli" in graph["bot.cli"]  # from summarizer import cli
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycles():
    assert cycles(import_graph()) == []


def test_the_engine_never_imports_the_bot_or_telegram():
    for name, imports in import_graph().items():
        if name.split(".")[0] == "summarizer":
            wrong = {m for m in imports if m.split(".")[0] in ("bot", "telegram")}
            assert not wrong, f"{name} imports {sorted(wrong)}"
