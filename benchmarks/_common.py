"""Shared helpers for the benchmarks in this folder (not part of the package, not tests).

Three things every benchmark here needs:

* **Fresh-process runs.** Each contender runs as its own ``python`` process, so its peak
  memory is its own and interpreter start-up plus imports are paid the same way by all.
  :func:`run_child` times one run (wall clock, measured by the parent) and collects the
  child's report: the last stdout line that parses as a JSON object.
* **Peak memory.** A child reports its own high-water mark with :func:`peak_rss_mb` (Linux
  ``/proc/self/status`` ``VmHWM``; elsewhere ``getrusage(RUSAGE_SELF)``). The parent also
  gets the child's ``ru_maxrss`` from ``os.wait4`` as a fallback. Beware: on Linux the
  child's ``ru_maxrss`` starts from the *parent's* resident size at spawn time (the kernel
  carries the old address space's high-water mark across ``exec``), so a parent that has
  loaded pandas or a big frame inflates every child's figure. Hence the child's own VmHWM
  is preferred, and a parent that runs benchmarks should stay light (stdlib only).
* **Statistics and a table.** Medians of repeats (the benchmark machines are small and
  noisy), min and max, and a plain-text table printer.

Standard library only, so that importing it costs the parent nothing.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPORT_PREFIX = "@@bench "  # the child's report line: prefix + JSON object


# --------------------------------------------------------------------------- child side


def peak_rss_mb() -> float:
    """This process's peak resident set size in MB (MiB), as far back as its ``exec``."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024  # bytes vs kB


def report(**facts: Any) -> None:
    """Print the child's report (peak memory added) as the last line of its stdout."""
    facts.setdefault("peak_rss_mb", peak_rss_mb())
    sys.stdout.write(REPORT_PREFIX + json.dumps(facts, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


# --------------------------------------------------------------------------- parent side


@dataclass
class ChildRun:
    """One finished child process."""

    wall_s: float
    returncode: int
    maxrss_mb: float  # from wait4; see the module docstring for why it may be inflated
    report: dict[str, Any]
    stdout: str
    stderr: str

    @property
    def peak_rss_mb(self) -> float:
        value = self.report.get("peak_rss_mb")
        return float(value) if value is not None else self.maxrss_mb


class ChildFailed(RuntimeError):
    pass


def run_child(
    argv: Sequence[str],
    *,
    cwd: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
    timeout_s: float | None = None,
) -> ChildRun:
    """Run ``argv`` to completion in a fresh process; wall time is measured from spawn to exit."""
    with tempfile.TemporaryFile("w+b") as out, tempfile.TemporaryFile("w+b") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            list(argv), cwd=cwd, env=dict(env) if env is not None else None,
            stdin=subprocess.DEVNULL, stdout=out, stderr=err,
        )
        deadline = None if timeout_s is None else start + timeout_s
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG if deadline else 0)
            if pid:
                break
            if deadline is not None and time.perf_counter() > deadline:
                proc.kill()
                os.wait4(proc.pid, 0)
                raise ChildFailed(f"timed out after {timeout_s} s: {' '.join(argv)}")
            time.sleep(0.005)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    maxrss = usage.ru_maxrss / (1024 * 1024) if sys.platform == "darwin" else usage.ru_maxrss / 1024
    facts: dict[str, Any] = {}
    for line in reversed(stdout.splitlines()):
        if line.startswith(REPORT_PREFIX):
            facts = json.loads(line[len(REPORT_PREFIX):])
            break
    run = ChildRun(wall, proc.returncode, maxrss, facts, stdout, stderr)
    if proc.returncode != 0:
        tail = "\n".join(stderr.strip().splitlines()[-15:])
        raise ChildFailed(f"exit {proc.returncode}: {' '.join(argv)}\n{tail}")
    return run


def python_child(script: str | os.PathLike[str], *args: str) -> list[str]:
    """argv for running ``script`` with this interpreter, unbuffered and without user site."""
    return [sys.executable, "-s", "-u", str(script), *args]


@dataclass
class Contender:
    """A named command whose runs are collected by :func:`run_round_robin`."""

    name: str
    argv: Sequence[str]
    before_each: Callable[[], None] | None = None  # e.g. empty the output folder
    runs: list[ChildRun] = field(default_factory=list)

    @property
    def walls(self) -> list[float]:
        return [r.wall_s for r in self.runs]

    @property
    def peak_rss_mb(self) -> float:
        return max(r.peak_rss_mb for r in self.runs)

    def work(self, key: str = "work_s") -> list[float]:
        return [float(r.report[key]) for r in self.runs if key in r.report]


def run_round_robin(
    contenders: Sequence[Contender],
    repeat: int,
    *,
    warmup: int = 1,
    cwd: str | os.PathLike[str] | None = None,
    progress: Callable[[str], None] | None = None,
    after_first: Callable[[Contender, ChildRun], None] | None = None,
) -> None:
    """Run every contender ``warmup`` + ``repeat`` times, interleaved (A B C A B C …) so
    that slow phases of a noisy machine fall on all of them alike. Warm-up runs (page
    cache, .pyc files) are not kept. ``after_first`` is called once per contender after
    its first run, warm-up or not."""
    seen: set[str] = set()
    for round_no in range(warmup + repeat):
        kept = round_no >= warmup
        for c in contenders:
            if c.before_each is not None:
                c.before_each()
            run = run_child(c.argv, cwd=cwd)
            if progress is not None:
                label = f"run {round_no - warmup + 1}/{repeat}" if kept else "warm-up"
                progress(f"  {c.name:<10} {label}: {run.wall_s:6.2f} s, {run.peak_rss_mb:6.0f} MB")
            if kept:
                c.runs.append(run)
            if c.name not in seen:
                seen.add(c.name)
                if after_first is not None:
                    after_first(c, run)


# --------------------------------------------------------------------------- in-process timing


@dataclass(frozen=True)
class Timing:
    samples: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def min(self) -> float:
        return min(self.samples)

    @property
    def max(self) -> float:
        return max(self.samples)

    def to_dict(self) -> dict[str, Any]:
        return {"median": self.median, "min": self.min, "max": self.max,
                "samples": list(self.samples)}


def time_call(fn: Callable[[], Any], repeat: int, *, warmup: int = 1) -> tuple[Timing, Any]:
    """Time ``fn()`` ``repeat`` times after ``warmup`` untimed calls; returns the timing and
    the last result. Setup belongs outside ``fn``."""
    result: Any = None
    for _ in range(warmup):
        result = fn()
        result = None  # free it before the timed calls
    samples = []
    for _ in range(repeat):
        result = None
        start = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - start)
    return Timing(tuple(samples)), result


def timing_of(samples: Sequence[float]) -> Timing:
    return Timing(tuple(samples))


# --------------------------------------------------------------------------- printing


def fmt_s(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds < 100 else f"{seconds:.0f} s"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def print_table(
    headers: Sequence[str], rows: Sequence[Sequence[Any]], *, right: Sequence[bool] | None = None,
    out: Any = None,
) -> None:
    """A plain-text table; ``right`` says which columns are right-aligned (default: all but
    the first)."""
    out = out or sys.stdout
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    if right is None:
        right = [False] + [True] * (len(headers) - 1)

    def line(row: Sequence[str]) -> str:
        return "  ".join(
            c.rjust(w) if r else c.ljust(w) for c, w, r in zip(row, widths, right, strict=True)
        ).rstrip()

    print(line(cells[0]), file=out)
    print("  ".join("-" * w for w in widths), file=out)
    for row in cells[1:]:
        print(line(row), file=out)


def file_digest(paths: Sequence[Path]) -> str:
    """A short digest of some source files (to tell whether a cached input is stale)."""
    import hashlib

    h = hashlib.sha256()
    for p in paths:
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:16]
