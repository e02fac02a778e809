"""CPU time and memory used by a benchmark's child processes (a process group each: see tests/support/processes.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class MemoryUse:
    """Resident memory of a process group, in KiB: each process's peak (VmHWM) and current (VmRSS)."""

    peaks_kib: dict[int, int]
    current_kib: dict[int, int]

    @property
    def largest_peak_kib(self) -> int:
        return max(self.peaks_kib.values(), default=0)

    @property
    def total_peak_kib(self) -> int:
        return sum(self.peaks_kib.values())


def _group_pids(pgid: int) -> Iterator[tuple[int, list[str]]]:
    """(pid, /proc/<pid>/stat fields after the command) of every process in the group."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except (FileNotFoundError, ProcessLookupError):
            continue  # the process ended while we looked
        # Fields after the parenthesised command: state, ppid, pgrp, ...
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[2]) == pgid:
            yield int(entry.name), fields


def cpu_seconds(pgid: int) -> float:
    """CPU time (user + system) used so far by the group's live processes and the children they reaped."""
    ticks = os.sysconf("SC_CLK_TCK")
    # utime, stime, cutime, cstime are fields 14-17 of /proc/<pid>/stat, i.e. 11-14 after the command.
    return sum(sum(int(value) for value in fields[11:15]) for _, fields in _group_pids(pgid)) / ticks


def memory_use(pgid: int) -> MemoryUse:
    """Read VmHWM and VmRSS of every process in the group (e.g. a celery worker and its pool)."""
    peaks: dict[int, int] = {}
    current: dict[int, int] = {}
    for pid, _ in _group_pids(pgid):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except (FileNotFoundError, ProcessLookupError):
            continue
        for line in status.splitlines():
            key, _, rest = line.partition(":")
            if key == "VmHWM":
                peaks[pid] = int(rest.split()[0])
            elif key == "VmRSS":
                current[pid] = int(rest.split()[0])
    return MemoryUse(peaks_kib=peaks, current_kib=current)
