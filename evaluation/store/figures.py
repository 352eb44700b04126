"""Figures kept until the data changes, shared by everyone looking at the same view.

At a million conversations a page's figures cost seconds of DuckDB time, and a Making it
Happen meeting has thirty people opening the same view at once: computing it thirty times
would stall the server. ``cached(store, func, *args)`` computes a figure once per version of
the data and hands copies to everyone else; while the first person's computation is running,
others asking for the same figure wait for it instead of starting their own.

The version (``data_version``) is cheap and changes with every committed write, from this
process or any other: a counter the store bumps on each transaction, and the size and
modification time of the DuckDB file and its write-ahead log (DuckDB writes the log on every
commit; reading never touches either file). An import, an undo, an erasure, a restore or a new
regional figure therefore all make the next view compute afresh.

Figures depend only on their arguments and the data, never on who asks: permissions are
applied by the caller choosing the arguments (which sites, whether to list people).
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any, TypeVar

from evaluation.store.connection import Store

T = TypeVar("T")

CAPACITY = 256  # figures kept; a page's figure is kilobytes, so this is a few megabytes


def data_version(store: Store) -> tuple[Any, ...]:
    """Changes whenever the store's data may have changed (see the module's note)."""
    parts: list[Any] = [str(store.path), store.changes]  # no resolve(): a syscall per folder
    for path in (store.path, store.path.with_name(store.path.name + ".wal")):
        try:
            found = os.stat(path)
        except FileNotFoundError:
            parts.append(None)
            continue
        parts.append((found.st_ino, found.st_size, found.st_mtime_ns))
    return tuple(parts)


def _frozen(value: Any) -> Hashable:
    """A hashable stand-in for an argument: lists become tuples, mappings sorted pairs."""
    if isinstance(value, Mapping):
        return ("mapping", tuple(sorted((str(k), _frozen(v)) for k, v in value.items())))
    if isinstance(value, list | tuple):
        return tuple(_frozen(v) for v in value)
    hash(value)  # a TypeError here means the argument can't key a figure
    return value


_ATOMS = (str, bytes, int, float, complex, bool, Decimal, Fraction, dt.date, dt.time,
          dt.timedelta, type(None))  # fmt: skip


_ATOM_TYPES = frozenset(_ATOMS)  # the exact types, looked up before isinstance's walk
_FROZEN_FIELDS: dict[type, frozenset[str] | None] = {}  # a frozen dataclass type's field names


def _frozen_fields(kind: type) -> frozenset[str] | None:
    """The field names of a frozen dataclass type (None for any other type), worked out once
    per type: a list of 50,000 quoted comments is checked in milliseconds, not half a second."""
    if kind not in _FROZEN_FIELDS:
        frozen = dataclasses.is_dataclass(kind) and kind.__dataclass_params__.frozen  # type: ignore[attr-defined]
        _FROZEN_FIELDS[kind] = (
            frozenset(f.name for f in dataclasses.fields(kind)) if frozen else None
        )
    return _FROZEN_FIELDS[kind]


def _immutable(value: Any) -> bool:
    """Whether nothing in ``value`` can be changed in place: atoms, and tuples, frozensets and
    frozen dataclasses of such."""
    if type(value) in _ATOM_TYPES or isinstance(value, _ATOMS):
        return True
    if isinstance(value, tuple | frozenset):
        return all(_immutable(v) for v in value)
    names = _frozen_fields(type(value))
    if names is None:
        return False
    held = getattr(value, "__dict__", None)
    if held is None:  # slots: read each field
        return all(_immutable(getattr(value, name)) for name in names)
    if held.keys() - names:  # something set on it besides its fields
        return False
    return all(type(v) in _ATOM_TYPES or _immutable(v) for v in held.values())


def _copier(value: Any) -> Callable[[Any], Any]:
    """How to give a caller its own copy of a kept figure, decided once when it is kept.

    A copy is only there so that changing it never changes what the next person sees: what
    cannot be changed is shared, a list or dict of such is copied one level deep, and only
    anything else is deep-copied. A page's list of 25,000 quoted comments then costs a list
    copy per run instead of a deep copy."""
    if _immutable(value):
        return lambda kept: kept
    if isinstance(value, list) and all(_immutable(v) for v in value):
        return list
    if isinstance(value, dict) and all(_immutable(k) and _immutable(v) for k, v in value.items()):
        return dict
    return copy.deepcopy


class _Pending:
    """One computation under way; others asking for the same key wait on it."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: Any = None
        self.failed = False


class OnceEach:
    """Work done once per key however many threads ask at once: the first computes, the
    others wait for its result (if it fails, the next one tries for itself). Subclasses say
    what is kept (``_find``, ``_keep``, both called holding the lock)."""

    def __init__(self) -> None:
        self._pending: dict[Hashable, _Pending] = {}
        self._lock = threading.Lock()

    def _find(self, key: Hashable) -> Any:
        """The kept entry for ``key``, or None."""
        raise NotImplementedError

    def _keep(self, key: Hashable, entry: Any) -> None:
        raise NotImplementedError

    def once(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The entry for ``key``: kept, being computed by another thread, or ``compute()``."""
        while True:
            with self._lock:
                found = self._find(key)
                if found is not None:
                    return found
                waiting = self._pending.get(key)
                if waiting is None:
                    pending = self._pending[key] = _Pending()
                    break
            waiting.done.wait()
            if not waiting.failed:
                return waiting.value
            # The first computation failed (e.g. the store was busy): try for ourselves.
        try:
            entry = compute()
        except BaseException:
            with self._lock:
                pending.failed = True
                del self._pending[key]
            pending.done.set()
            raise
        with self._lock:
            pending.value = entry
            del self._pending[key]
            self._keep(key, entry)
        pending.done.set()
        return entry


class Figures(OnceEach):
    """A bounded, thread-safe store of computed figures keyed by data version and arguments."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        super().__init__()
        self.capacity = capacity
        self._kept: OrderedDict[Hashable, tuple[Any, Callable[[Any], Any]]] = OrderedDict()
        self.computed = 0  # how many times a figure was actually computed (tests read it)

    def get(self, store: Store, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        key = (
            data_version(store),
            func.__module__,
            func.__qualname__,
            _frozen(args),
            _frozen(kwargs),
        )

        def compute() -> tuple[Any, Callable[[Any], Any]]:
            value = func(store, *args, **kwargs)
            return value, _copier(value)

        value, copier = self.once(key, compute)
        return copier(value)  # type: ignore[no-any-return]

    def _find(self, key: Hashable) -> tuple[Any, Callable[[Any], Any]] | None:
        if key not in self._kept:
            return None
        self._kept.move_to_end(key)
        return self._kept[key]

    def _keep(self, key: Hashable, entry: tuple[Any, Callable[[Any], Any]]) -> None:
        self.computed += 1
        self._kept[key] = entry
        while len(self._kept) > self.capacity:
            self._kept.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()


FIGURES = Figures()


def cached(store: Store, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``func(store, *args, **kwargs)``, computed once per version of the data.

    Callers get their own copy, so changing it never changes what the next person sees.
    """
    return FIGURES.get(store, func, *args, **kwargs)
