"""How many processor cores this process may use: the one count every pool of threads sizes itself by."""

from __future__ import annotations


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity where the system keeps one, as in a container
    limited to some cores; else all the machine has), at least one."""
    import os

    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)
