"""The store's protocols (modemgw/store/protocol.py) against `Store`, which must provide
each method as the protocol states it, and against the modules that use them, which must
call nothing their protocol leaves out (read from their source, with ast)."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path
from typing import Protocol

import pytest

from modemgw.store import Store
from modemgw.store.protocol import (CoreStore, KeyStore, MessageStore, NodeStore, OutboxStore, QueueStore,
                                    ReceiveStore)

ROOT = Path(__file__).resolve().parent.parent / "modemgw"
PROTOCOLS = (KeyStore, MessageStore, CoreStore, QueueStore, ReceiveStore, OutboxStore, NodeStore)
# The modules that hold a store by its protocol, or reach it through `core.store`.
CONSUMERS = {
    "core/service.py": (CoreStore,),
    "webhooks/sender.py": (OutboxStore,),
    "dispatch/*.py": (QueueStore, ReceiveStore),
    **{f"{edge}/**/*.py": (CoreStore,) for edge in ("api", "dialects", "smppd", "console", "receivers")},
}


def _members(protocol: type) -> dict[str, object]:
    out: dict[str, object] = {}
    for cls in reversed(protocol.__mro__):
        if cls in (object, Protocol) or Protocol not in cls.__mro__:
            continue
        out.update((name, value) for name, value in vars(cls).items() if not name.startswith("_"))
    return out


def _store_uses(path: Path) -> set[str]:
    """What `store.x`, `self.store.x` or `core.store.x` the module reads."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Attribute):
            holder = node.value
            if (isinstance(holder, ast.Name) and holder.id == "store") or \
                    (isinstance(holder, ast.Attribute) and holder.attr == "store"):
                found.add(node.attr)
    return found


@pytest.mark.parametrize("protocol", PROTOCOLS, ids=lambda p: p.__name__)
def test_the_store_provides_each_protocol_as_stated(protocol, database):
    store = Store(database)
    members = _members(protocol)
    assert members
    for name, declared in members.items():
        if isinstance(declared, property):
            assert isinstance(getattr(store, name), int), name
            continue
        actual = getattr(type(store), name)
        assert inspect.iscoroutinefunction(actual) == inspect.iscoroutinefunction(declared), name
        assert inspect.signature(actual) == inspect.signature(declared), name


def test_the_protocols_name_each_method_once():
    listed = [name for p in (KeyStore, MessageStore, QueueStore, ReceiveStore) for name in _members(p)]
    assert len(listed) == len(set(listed))


@pytest.mark.parametrize("pattern", CONSUMERS)
def test_a_consumer_uses_only_its_protocols(pattern):
    allowed = set().union(*(_members(p) for p in CONSUMERS[pattern]))
    paths = sorted(ROOT.glob(pattern))
    assert paths, pattern
    used = {name: path.relative_to(ROOT) for path in paths for name in _store_uses(path)}
    assert {name: str(path) for name, path in used.items() if name not in allowed} == {}
