"""A private ``streamlit run app.py`` on a free port, with its own data folder, killable and
restartable: used by the benchmarks (page-ready and load) and the browser tests.

The session server of ``conftest.app_url`` is shared by the page tests, which expect a
library holding only what they saved; tests that save cases of their own, or kill and
restart the app, start one of these instead.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from analysis.store import paths

ROOT = paths.PROJECT_ROOT
# A first page run imports pandas, plotly, NLTK… on a busy 2-core runner.
START_TIMEOUT_S = 90
STREAMLIT_ARGS = ["--server.address", "127.0.0.1", "--server.headless", "true",
                  "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]

# In the browser: Streamlit has finished (script state ``notRunning``, no spinner or loading
# skeleton) and every chart has been drawn (a ``ui/chart_view`` chart holds its SVG once
# plotly.js has loaded and drawn it; an ``st.plotly_chart`` likewise).
IDLE_JS = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    const charts = document.querySelectorAll('div.bf-chart, [data-testid="stPlotlyChart"]');
    return !!app && app.getAttribute('data-test-script-state') === 'notRunning'
        && !document.querySelector('[data-testid="stSkeleton"]')
        && !document.querySelector('[data-testid="stSpinner"]')
        && [...charts].every(c => c.querySelector('.main-svg'));
}"""


@dataclass
class Server:
    url: str
    proc: subprocess.Popen[bytes]
    log: Path

    def kill(self) -> None:
        """SIGKILL the server and anything it started (it leads its own process group)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_healthy(server: Server, timeout: float = START_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early:\n{server.tail()}")
        try:
            with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"streamlit not healthy after {timeout}s:\n{server.tail()}")


@contextlib.contextmanager
def serve(data_dir: Path | None, launcher: Sequence[str] = (sys.executable, "-m", "streamlit"),
          *, cwd: Path = ROOT, env: Mapping[str, str] | None = None,
          args: Sequence[str] = STREAMLIT_ARGS, timeout: float = START_TIMEOUT_S,
          log_dir: Path | None = None) -> Iterator[Server]:
    """Run ``<launcher> run app.py`` on a free loopback port with ``BACKFIRE_DATA_DIR``.

    ``launcher`` is the command that stands for ``streamlit`` (a wrapper may patch the app's
    code first). The server is stopped on exit unless it is already gone.

    ``data_dir=None`` leaves ``BACKFIRE_DATA_DIR`` alone (the app's own ``data/``); ``env``
    replaces ``os.environ`` as the base environment, ``cwd`` the checkout that holds app.py,
    ``args`` the streamlit options after the port. The log goes to ``log_dir`` (default: the
    data folder's parent).
    """
    port = free_port()
    if log_dir is None:
        if data_dir is None:
            raise ValueError("serve(None, …) needs a log_dir")
        log_dir = data_dir.parent
    log = log_dir / f"streamlit-{port}.log"
    cmd = [*launcher, "run", "app.py", "--server.port", str(port), *args]
    env = dict(os.environ if env is None else env)
    if data_dir is not None:
        env["BACKFIRE_DATA_DIR"] = str(data_dir)
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    server = Server(f"http://127.0.0.1:{port}", proc, log)
    try:
        _wait_healthy(server, timeout)
        yield server
    finally:
        if proc.poll() is None:
            server.stop()
