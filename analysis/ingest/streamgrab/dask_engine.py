"""The Dask engines: an existing cluster by address, or a LocalCluster started for the run.

Only this module imports Dask (``dask[distributed]``, an optional install). Workers of a
remote cluster need Backfire importable (the same checkout or package) and the archives at
the same path (local disk, NFS or a shared mount): tasks carry offsets, never member bytes.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from concurrent.futures import Executor
from typing import Final

from analysis.errors import EngineError

try:
    from distributed import Client, LocalCluster
except ImportError as exc:  # pragma: no cover - exercised only without the optional install
    raise EngineError("the Dask engines need Dask: pip install 'dask[distributed]' "
                      "(bash scripts/test.sh installs it from requirements-dev.txt)") from exc

# Seconds to wait for a remote scheduler before giving up with a clear message.
CONNECT_TIMEOUT: Final = 20


@contextlib.contextmanager
def executor(address: str | None, workers: int | None) -> Iterator[tuple[Executor, int]]:
    """A ``concurrent.futures`` executor on a Dask cluster and its number of worker threads."""
    if address:
        try:
            client = Client(address, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError) as exc:
            raise EngineError(f"cannot reach the Dask scheduler at {address}: {exc}") from exc
        with client:
            yield client.get_executor(pure=False), max(1, sum(client.nthreads().values()))
        return
    n = workers or os.cpu_count() or 1
    # One thread per worker process: bz2 holds the GIL, so threads would not add speed.
    with LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
        yield client.get_executor(pure=False), n
