"""CPU time spent by each kind of process on this machine, read from /proc, to say where a benchmark's time went.

``sample()`` sums user + system time of every live process by name; the
difference of two samples is what each kind of process used in between.
(A process that exits in between is not counted; the benches keep theirs alive.)
"""
import os

TICKS = os.sysconf("SC_CLK_TCK")
# /proc names of the processes we care about; anything else is "other"
KINDS = {"postgres": "PostgreSQL", "redis-server": "Redis", "gunicorn": "web (gunicorn)", "python": "Python"}


def sample():
    """Seconds of CPU used so far by each kind of process, as a dict; this process is "bench"."""
    used = {}
    me = str(os.getpid())
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as stat:
                text = stat.read()
        except OSError:
            continue  # exited while we looked
        name = text[text.index("(") + 1:text.rindex(")")]
        fields = text[text.rindex(")") + 2:].split()
        seconds = (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime
        kind = "bench" if entry.name == me else next(
            (label for prefix, label in KINDS.items() if name.startswith(prefix)), "other")
        used[kind] = used.get(kind, 0.0) + seconds
    return used


def per_item(before, after, items, labels=None):
    """A line saying how many CPU milliseconds each item cost in each kind of process, and in all."""
    spent = {kind: after.get(kind, 0.0) - before.get(kind, 0.0) for kind in after}
    spent = {(labels or {}).get(kind, kind): value for kind, value in spent.items() if value > 0.005}
    total = sum(spent.values())
    parts = ", ".join(f"{kind} {value / items * 1000:.1f}" for kind, value in sorted(spent.items(), key=lambda kv: -kv[1]))
    ceiling = os.cpu_count() / (total / items) if total else float("inf")
    return (f"CPU per item: {total / items * 1000:.1f} ms ({parts}); "
            f"at that cost {os.cpu_count()} cores top out near {ceiling:.0f} items/s")
