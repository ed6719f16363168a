"""Turns bench/global.sh's JSON lines into the "global" section of docs/BENCHMARKS.md.

    report_global.py RESULTS.jsonl docs/BENCHMARKS.md LIBTORCH_VERSION PEER_VERSIONS
"""
import json
import platform
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from sections import replace_section  # noqa: E402

rows = [json.loads(l) for l in Path(sys.argv[1]).read_text().splitlines() if l.strip()]
ours, peers = sys.argv[3], sys.argv[4]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
timed = [r for r in rows if r["side"] != "agreement"]
agree = next((r for r in rows if r["side"] == "agreement"), {})
run = timed[0]["run"] if timed else "?"


def median(side, key):
    values = [r[key] for r in timed if r["side"] == side]
    return statistics.median(values) if values else float("nan")


names = {"pillow": "Pillow: decode + encode only", "dslr": "`dslr enhance` (DSLRKit)",
         "torch": "eager PyTorch, same network", "onnx": "ONNX Runtime, same network"}
rounds = len([r for r in timed if r["side"] == "dslr"])
dslr = median("dslr", "seconds")
lines = [
    "## The default model on a 12 MP photo (dslrkit-tone, whole command)", "",
    f"Measured by `bash bench/global.sh` on {run}: a 4000×3000 JPEG made from a Debian photo,",
    "enhanced by the embedded default model and written as JPEG quality 95; the same network",
    "and weights in eager PyTorch and in ONNX Runtime (graph written by `bench/global_peer.py`),",
    "each decoding and encoding with Pillow; and Pillow alone decoding and re-encoding the photo.",
    f"The sides ran in turn, {rounds} rounds; medians. Whole commands (start-up included); memory",
    f"is peak resident set. Machine: {cpu}, {len(__import__('os').sched_getaffinity(0))} cores.",
    f"DSLRKit on libtorch {ours}; peers: {peers}.", "",
    "| side | seconds | peak memory (MiB) | time / DSLRKit's |", "| --- | ---: | ---: | ---: |",
]
for side in ["pillow", "dslr", "torch", "onnx"]:
    s = median(side, "seconds")
    lines.append(f"| {names[side]} | {s:.2f} | {median(side, 'peak_mib'):,.0f} | {s / dslr:.2f} |")
fmt = lambda v: "identical" if v == float("inf") else f"{v:.1f} dB"
lines += ["", f"DSLRKit takes {dslr / median('pillow', 'seconds'):.1f}× Pillow's decode-and-encode time. "
          f"Agreement of the JPEG outputs: DSLRKit against PyTorch {fmt(agree.get('dslr_vs_torch', float('nan')))}, "
          f"against ONNX Runtime {fmt(agree.get('dslr_vs_onnx', float('nan')))} PSNR (float order and JPEG rounding)."]
replace_section(sys.argv[2], "global", "\n".join(lines))
