"""Where tasks run: any ``concurrent.futures.Executor``, chosen by an ``Engine`` value.

- ``processes`` (default): one process per core (fork: workers inherit the imported code);
  one worker means a single thread in this process (no pickling; easiest to debug);
- ``dask-local``: a Dask ``LocalCluster`` of N single-threaded worker processes;
- ``dask``: an existing Dask cluster, by its scheduler address.

Both Dask engines use ``Client.get_executor()``, so the runner's code is the same for all.
Dask is optional: it is imported only when a Dask engine is chosen.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Final

from analysis.errors import EngineError

KINDS: Final = ("processes", "dask-local", "dask")


@dataclass(frozen=True)
class Engine:
    """``kind`` in KINDS; ``workers`` (None: one per core); ``address`` for ``dask``."""

    kind: str = "processes"
    workers: int | None = None
    address: str | None = None

    def describe(self) -> str:
        if self.kind == "dask":
            return f"Dask cluster at {self.address}"
        n = self.workers or os.cpu_count() or 1
        if self.kind == "dask-local":
            return f"Dask LocalCluster, {n} worker{'s' * (n != 1)}"
        return f"{n} local process{'es' * (n != 1)}"


@contextlib.contextmanager
def _processes(engine: Engine) -> Iterator[tuple[Executor, int]]:
    workers = engine.workers or os.cpu_count() or 1
    if workers == 1:
        with ThreadPoolExecutor(max_workers=1) as pool:
            yield pool, 1
        return
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
        yield pool, workers


@contextlib.contextmanager
def _dask(engine: Engine) -> Iterator[tuple[Executor, int]]:
    # Imported here, not at the top: Dask is an optional install, needed by this engine only.
    from analysis.ingest.streamgrab import dask_engine  # noqa: PLC0415

    with dask_engine.executor(engine.address, engine.workers) as (pool, workers):
        yield pool, workers


OPENERS: Final[dict[str, Callable[[Engine], contextlib.AbstractContextManager[tuple[Executor, int]]]]] = {
    "processes": _processes, "dask-local": _dask, "dask": _dask,
}


def open_executor(engine: Engine) -> contextlib.AbstractContextManager[tuple[Executor, int]]:
    """(an executor, how many tasks it runs at once), for the time of a ``with`` block."""
    if engine.kind not in OPENERS:
        raise EngineError(f"unknown engine {engine.kind!r} (known: {', '.join(KINDS)})")
    if engine.workers is not None and engine.workers < 1:
        raise EngineError("the number of workers must be at least 1")
    if engine.kind == "dask" and not engine.address:
        raise EngineError("a Dask cluster needs its scheduler address (tcp://HOST:PORT)")
    return OPENERS[engine.kind](engine)
