"""Turns bench/ppcn.sh's JSON lines into the "ppcn" section of docs/BENCHMARKS.md.

    report_ppcn.py RESULTS.jsonl docs/BENCHMARKS.md LIBTORCH_VERSION TENSORFLOW_VERSION
"""
import json
import os
import platform
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from sections import replace_section  # noqa: E402

rows = [json.loads(l) for l in Path(sys.argv[1]).read_text().splitlines() if l.strip()]
ours, tf_version = sys.argv[3], sys.argv[4]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
timed = [r for r in rows if r["side"] != "agreement"]
agree = next((r for r in rows if r["side"] == "agreement"), {})


def median(case, side, key):
    return statistics.median(r[key] for r in timed if r["case"] == case and r["side"] == side)


rounds = len([r for r in timed if r["side"] == "dslr" and "teacher" in r["case"]])
lines = [
    "## PPCN's teacher and student on a 12 MP photo (whole command)", "",
    f"Measured by `bash bench/ppcn.sh PPCN_CHECKOUT` on {timed[0]['run']}: a 4000×3000 JPEG made from a",
    "Debian photo, enhanced by PPCN's published checkpoints and written as JPEG quality 95:",
    "`dslr enhance` with the imported weights (its automatic tiles, with one statistics pass per",
    "whole-image statistic), and PPCN's own TensorFlow graph restored from the same checkpoint,",
    f"running the whole photo at once. The sides ran in turn, {rounds} rounds; medians. Whole commands",
    f"(start-up included); memory is peak resident set. Machine: {cpu}, {len(os.sched_getaffinity(0))} cores.",
    f"DSLRKit on libtorch {ours}; TensorFlow {tf_version}.", "",
    "| network | DSLRKit (s) | DSLRKit peak (MiB) | TensorFlow (s) | TensorFlow peak (MiB) | TensorFlow time / DSLRKit's | outputs agree (PSNR) |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
]
for net in ["teacher", "student"]:
    case = f"ppcn_{net}_12mp"
    d, t = median(case, "dslr", "seconds"), median(case, "tensorflow", "seconds")
    lines.append(f"| {net} | {d:.1f} | {median(case, 'dslr', 'peak_mib'):,.0f} | {t:.1f} | "
                 f"{median(case, 'tensorflow', 'peak_mib'):,.0f} | {t / d:.2f} | {agree.get(net, float('nan')):.1f} dB |")
lines += ["", "A ratio above 1 means DSLRKit is faster. The last column compares the two JPEG outputs."]
replace_section(sys.argv[2], "ppcn", "\n".join(lines))
