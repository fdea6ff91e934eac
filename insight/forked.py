"""Pure-Python work over many records on every core. The interpreter's lock keeps threads
on one core, so bulk ingestion forks worker processes; they inherit what the work needs
(the place finder, the classifier and its tokeniser) instead of receiving it pickled."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from typing import Callable, TypeVar

T = TypeVar("T")
R = TypeVar("R")

MIN_ITEMS = 5_000  # below this, starting processes costs more than it saves
_job: tuple[Callable, list] | None = None  # what the forked workers run, inherited, not pickled


def _part(bounds: tuple[int, int]) -> list:
    function, items = _job
    return function(items[bounds[0] : bounds[1]])


def map_chunks(function: Callable[[list[T]], list[R]], items: list[T], processes: int | None = None) -> list[R]:
    """`function` (a list to a list as long) over `items`, one chunk per process, in order."""
    global _job
    processes = processes or os.cpu_count() or 1
    if len(items) < MIN_ITEMS or processes < 2:
        return function(items)
    step = -(-len(items) // processes)
    bounds = [(start, start + step) for start in range(0, len(items), step)]
    _job = (function, items)
    try:
        with ProcessPoolExecutor(len(bounds), mp_context=multiprocessing.get_context("fork")) as pool:
            return [result for part in pool.map(_part, bounds) for result in part]
    finally:
        _job = None
