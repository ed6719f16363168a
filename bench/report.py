"""Turns the JSON lines of `dslr bench engine` and bench/engine_peer.py into the Markdown
table of docs/BENCHMARKS.md (best of all rounds per case; ratio = PyTorch time / DSLRKit time)."""
import json
import platform
import sys
from pathlib import Path


def best(path):
    result = {}
    for line in Path(path).read_text().splitlines():
        row = json.loads(line)
        if row["case"] not in result or row["seconds"] < result[row["case"]]["seconds"]:
            result[row["case"]] = row
    return result


ours, peer = best(sys.argv[1]), best(sys.argv[2])
our_version, peer_version = sys.argv[3], sys.argv[4]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
threads = next(iter(ours.values()))["threads"]
print("## Engine\n")
print("Measured by `bash bench/engine.sh`: DSLRKit (`dslr bench engine`, release build) and eager")
print("PyTorch in Python run the same cases in one run on the same machine, alternating, two")
print("rounds of five repetitions each; the best time per case is kept.")
print(f"Machine: {cpu}, {threads} threads. DSLRKit on libtorch {our_version}; peer: PyTorch {peer_version}.\n")
print("| case | DSLRKit | PyTorch | speed ratio (PyTorch time / DSLRKit time) |")
print("| --- | --- | --- | --- |")
for case, row in ours.items():
    other = peer[case]
    def cell(r):
        return f"{r['seconds'] * 1e3:.1f} ms" + (f" ({r['gflops']:.0f} GFLOP/s)" if "gflops" in r else "")
    print(f"| {case} | {cell(row)} | {cell(other)} | {other['seconds'] / row['seconds']:.2f} |")
print("\nA ratio above 1 means DSLRKit is faster. FLOP counts: 2 per multiply-add; a training")
print("step counts the forward and both backward convolutions.")
