"""What the worker machinery reads about processes: RSS and peak RSS from ``/proc``, process groups."""

from __future__ import annotations

import os
import signal

MB = 1024 * 1024


def proc_status(pid: int | str = "self") -> dict[str, int]:
    """VmRSS / VmHWM / VmData / RssAnon / RssShmem of a process in kB (empty dict if unavailable)."""
    out: dict[str, int] = {}
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                key, _, rest = line.partition(":")
                if key in ("VmRSS", "VmHWM", "VmData", "RssAnon", "RssShmem"):
                    out[key] = int(rest.split()[0])
    except (OSError, ValueError, IndexError):
        pass
    return out


def rss_mb(pid: int | str = "self") -> float:
    """Resident set size of a process in MiB (0.0 if unknown)."""
    return proc_status(pid).get("VmRSS", 0) / 1024.0


def charged_mb(pid: int | str = "self") -> float:
    """Memory the watchdog charges to a worker: anonymous + shared-memory resident pages, in MiB.

    File-backed pages (torch's ~200 MB of shared libraries) are left out: they are shared,
    reclaimable, and not what a runaway demo allocates.
    """
    st = proc_status(pid)
    return (st.get("RssAnon", 0) + st.get("RssShmem", 0)) / 1024.0


def reset_peak_rss() -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0, ``echo 5 > /proc/self/clear_refs``)."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def is_out_of_memory(exc: BaseException) -> bool:
    if isinstance(exc, MemoryError):
        return True
    text = str(exc).lower()
    return "can't allocate memory" in text or "cannot allocate memory" in text or "out of memory" in text


def process_alive(pid: int) -> bool:
    """True if ``pid`` exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            state = fh.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def group_members(pgid: int) -> list[int]:
    """Live processes whose process group is ``pgid``."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if len(fields) > 2 and int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            found.append(int(entry))
    return found


def kill_group(pgid: int) -> None:
    """SIGKILL every process of the group ``pgid`` (the worker and whatever a demo spawned)."""
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
