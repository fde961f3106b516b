"""CPU seconds of the processes a browser benchmark involves, read from ``/proc``.

Three groups: the Streamlit server and everything under it; Chromium (every process under
the benchmark's own process except the server tree and Playwright's node driver); the
driver. User + system time of every thread, plus ``cutime``/``cstime`` of reaped children.
A process that ends between two readings loses its last ticks (renderers of closed tabs).
"""

from __future__ import annotations

import os
from pathlib import Path

CLK_TCK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds incl. reaped children) of ``pid``, or None if it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2:].split()
    ppid = int(fields[1])
    ticks = sum(int(v) for v in fields[11:15])  # utime stime cutime cstime
    return ppid, ticks / CLK_TCK


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def cpu_groups(server_pid: int) -> dict[str, float]:
    """CPU seconds so far of the server tree, the Chromium tree and the Playwright driver."""
    stats = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (found := _stat(int(entry))) is not None:
            stats[int(entry)] = found
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in stats.items():
        children.setdefault(ppid, []).append(pid)

    def tree(root: int) -> set[int]:
        out, todo = set(), [root]
        while todo:
            pid = todo.pop()
            if pid in stats and pid not in out:
                out.add(pid)
                todo.extend(children.get(pid, []))
        return out

    server = tree(server_pid)
    mine = tree(os.getpid()) - server - {os.getpid()}
    driver = {pid for pid in mine if _comm(pid) == "node"}
    return {"server": sum(stats[p][1] for p in server),
            "browser": sum(stats[p][1] for p in mine - driver),
            "driver": sum(stats[p][1] for p in driver)}
