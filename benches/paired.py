#!/usr/bin/env python3
"""Paired timing of `vsend score` against a peer doing the same scoring.

Runs the two in turn, RUNS times (vsend first in odd pairs, the peer first in
even ones, so neither always gets the warmer cache), and prints each pair and
the median of the per-pair ratios: on a shared machine the load changes from
one minute to the next, and a ratio measured side by side moves far less than
either time alone. Wall time is what the ratio is of; CPU time (user + system,
all threads) and peak memory are printed beside it.

    python3 benches/paired.py [--runs N] [--peer duckdb|vsend-old] [--old PATH]
                              VSEND INPUT.csv [OUTDIR]

`--peer duckdb` (the default) runs `benches/duckdb_peer.py` with the Python
that runs this script (so run it with the interpreter that has duckdb);
`--peer vsend-old --old PATH` runs another vsend binary instead (before/after).
With both outputs written, it checks that they are byte-identical.
"""
import argparse
import filecmp
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run(cmd):
    """Wall seconds, CPU seconds (user + system) and peak RSS in MiB of one command."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed ({os.waitstatus_to_exitcode(status)}): {' '.join(cmd)}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=7)
    p.add_argument("--peer", choices=["duckdb", "vsend-old"], default="duckdb")
    p.add_argument("--old", help="the other vsend binary, for --peer vsend-old")
    p.add_argument("vsend")
    p.add_argument("input")
    p.add_argument("outdir", nargs="?", default="/tmp")
    a = p.parse_args()
    out = Path(a.outdir)
    mine = [a.vsend, "score", a.input, "-o", str(out / "paired-vsend.csv")]
    if a.peer == "duckdb":
        peer = [sys.executable, str(HERE / "duckdb_peer.py"), a.input, str(out / "paired-peer.csv")]
    else:
        peer = [a.old, "score", a.input, "-o", str(out / "paired-peer.csv")]
    load = os.getloadavg()[0]
    print(f"{a.runs} pairs, {a.peer} as the peer, load average {load:.1f} at the start")
    print(f"{'pair':>4} {'vsend wall':>10} {'cpu':>6} {'MiB':>5} {'peer wall':>10} {'cpu':>6} {'MiB':>5} {'ratio':>6}")
    ratios, walls, peer_walls, cpus, peer_cpus = [], [], [], [], []
    for i in range(a.runs):
        if i % 2 == 0:
            v, q = run(mine), run(peer)
        else:
            q, v = run(peer), run(mine)
        ratio = v[0] / q[0]
        ratios.append(ratio)
        walls.append(v[0]); peer_walls.append(q[0]); cpus.append(v[1]); peer_cpus.append(q[1])
        print(f"{i + 1:>4} {v[0]:>9.3f}s {v[1]:>5.2f}s {v[2]:>5.0f} {q[0]:>9.3f}s {q[1]:>5.2f}s {q[2]:>5.0f} {ratio:>6.3f}")
    med = statistics.median
    print(f"median: vsend {med(walls):.3f} s wall, {med(cpus):.2f} s cpu; peer {med(peer_walls):.3f} s wall, "
          f"{med(peer_cpus):.2f} s cpu; vsend/peer {med(ratios):.3f} (peer {1 / med(ratios):.2f}x vsend's time); "
          f"load average {os.getloadavg()[0]:.1f} at the end")
    same = filecmp.cmp(out / "paired-vsend.csv", out / "paired-peer.csv", shallow=False)
    print("outputs byte-identical" if same else "outputs DIFFER")


if __name__ == "__main__":
    main()
