"""Measuring tools for a worker process: peak resident memory of a call, and how much CPU
other processes used meanwhile.

Example:
    >>> import numpy as np
    >>> rss = PeakRss()
    >>> _ = rss.start()
    >>> block = np.ones(32 * 2**20, dtype=np.uint8)
    >>> rss.stop() >= 30 * 2**20
    True
"""

from __future__ import annotations

import os
import threading


def _status_kb(*fields: str) -> dict[str, int]:
    out = {}
    with open("/proc/self/status") as f:
        for line in f:
            name, _, value = line.partition(":")
            if name in fields:
                out[name] = int(value.split()[0])
    return out


class PeakRss:
    """Peak resident memory during a call, above the resident memory just before it.

    Linux lets a process reset its own high-water mark (``5`` into ``/proc/self/clear_refs``);
    ``VmHWM`` afterwards is the exact peak, with no sampling thread competing for the GIL.
    Where that is refused, a thread samples ``/proc/self/statm`` every millisecond.
    """

    def __init__(self) -> None:
        self.method = "VmHWM reset" if self._can_reset() else "statm sampling (1 ms)"
        self._base = 0
        self._peak = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._page = os.sysconf("SC_PAGE_SIZE")

    @staticmethod
    def _can_reset() -> bool:
        try:
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")
        except OSError:
            return False
        return True

    def _rss(self) -> int:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * self._page

    def _sample(self) -> None:
        while not self._stop.wait(0.001):
            self._peak = max(self._peak, self._rss())

    def start(self) -> int:
        """Begin a measurement; returns the baseline (bytes)."""
        if self.method == "VmHWM reset":
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")
            self._base = _status_kb("VmRSS")["VmRSS"] * 1024
        else:
            self._base = self._peak = self._rss()
            self._stop.clear()
            self._thread = threading.Thread(target=self._sample, daemon=True)
            self._thread.start()
        return self._base

    def stop(self) -> int:
        """End the measurement; returns the peak above the baseline (bytes)."""
        if self.method == "VmHWM reset":
            peak = _status_kb("VmHWM")["VmHWM"] * 1024
        else:
            self._stop.set()
            assert self._thread is not None
            self._thread.join()
            peak = max(self._peak, self._rss())
        return max(0, peak - self._base)


def machine_busy_s() -> float:
    """CPU seconds all CPUs of the machine spent busy since boot (steal time included)."""
    with open("/proc/stat") as f:
        ticks = [int(x) for x in f.readline().split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = ticks
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def self_cpu_s() -> float:
    """CPU seconds this process (all its threads) has used."""
    t = os.times()
    return t.user + t.system
