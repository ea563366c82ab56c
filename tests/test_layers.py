"""The layers as the README draws them: an edge (a dialect, SMPP, the console, an alert
receiver) talks to the core, never to the store, the dispatcher or a modem, nor to another
edge; the pure packages do no I/O. Checked on every module's imports, with ast."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "modemgw"
EDGES = ("dialects", "smppd", "console", "receivers")
BELOW_THE_CORE = ("store", "dispatch", "modem", "webhooks.sender")
PURE = ("sms", "at", "smpp")
IO_MODULES = ("asyncio", "socket", "sqlite3", "aiosqlite", "aiohttp", "serialx", "os", "subprocess")
# A pure module may format times (time.gmtime, strftime) but never read the clock.
CLOCKS = {("time", "time"), ("time", "monotonic"), ("time", "sleep"), ("datetime", "now"),
          ("datetime", "utcnow"), ("date", "today")}


def _modules() -> list[tuple[str, Path]]:
    out = []
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out.append((".".join(("modemgw", *parts)), path))
    return out


def _imports(name: str, path: Path) -> set[str]:
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            found.add(target)
            # `from . import x` names a module too
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return found


def _inside(target: str, package: str) -> bool:
    return target == package or target.startswith(package + ".")


@pytest.mark.parametrize("name, path", [m for m in _modules() if m[0].split(".")[1:2] and m[0].split(".")[1] in EDGES],
                         ids=lambda v: v if isinstance(v, str) else "")
def test_an_edge_talks_only_to_the_core(name, path):
    edge = name.split(".")[1]
    wrong = sorted(t for t in _imports(name, path)
                   if any(_inside(t, f"modemgw.{b}") for b in BELOW_THE_CORE)
                   or any(_inside(t, f"modemgw.{e}") for e in (*EDGES, "api") if e != edge))
    assert not wrong, f"{name} imports {wrong}"


@pytest.mark.parametrize("name, path", [m for m in _modules() if m[0].split(".")[1:2] and m[0].split(".")[1] in PURE],
                         ids=lambda v: v if isinstance(v, str) else "")
def test_the_pure_packages_do_no_io(name, path):
    wrong = sorted(t for t in _imports(name, path) if t.split(".")[0] in IO_MODULES)
    assert not wrong, f"{name} imports {wrong}"
    clocks = sorted(f"{node.value.id}.{node.attr}" for node in ast.walk(ast.parse(path.read_text()))
                    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and (node.value.id, node.attr) in CLOCKS)
    assert not clocks, f"{name} reads the clock: {clocks}"
