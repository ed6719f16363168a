"""Turns bench/enhance.sh's JSON lines into the "enhance" section of docs/BENCHMARKS.md.

    report_enhance.py RESULTS.jsonl docs/BENCHMARKS.md LIBTORCH_VERSION PYTORCH_VERSION
"""
import json
import platform
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from sections import replace_section  # noqa: E402

def read(path):
    p = Path(path)
    return [json.loads(l) for l in p.read_text().splitlines() if l.strip()] if p.exists() else []


if sys.argv[1] == "--merge":
    # New rows replace stored rows of the same case and side.
    new = read(sys.argv[3])
    fresh = {(r["case"], r["side"]) for r in new}
    kept = [r for r in read(sys.argv[2]) if (r["case"], r["side"]) not in fresh]
    Path(sys.argv[2]).write_text("".join(json.dumps(r) + "\n" for r in kept + new))
    sys.exit(0)

rows = read(sys.argv[1])
ours, peer = sys.argv[3], sys.argv[4]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
by_case = {}
for r in rows:
    by_case.setdefault(r["case"], {})[r["side"]] = r

out = ["## Enhance (DPED generator, whole command)", ""]
out.append("Measured by `bash bench/enhance.sh`: `dslr enhance` (release build) and the same DPED")
out.append("generator with the same weights in eager PyTorch (decode with Pillow, the network on the")
out.append("whole photo, encode JPEG quality 95), one after the other in one run on the same machine.")
out.append("Times are whole commands (start-up, decode, network, encode); memory is peak resident")
out.append(f"set. Machine: {cpu}, {len(__import__('os').sched_getaffinity(0))} cores. DSLRKit on libtorch {ours}; peer: PyTorch {peer}.")
out.append("")
out.append("| case | PyTorch eager | DSLRKit, whole photo (`--tile 0`) | ratio | DSLRKit, default (tiles within 2 GiB) | ratio | default vs whole | whole vs PyTorch |")
out.append("| --- | --- | --- | --- | --- | --- | --- | --- |")
for case, sides in by_case.items():
    t, w, d = sides.get("torch"), sides.get("dslr_whole"), sides.get("dslr_tiled")
    a = sides.get("agreement", {})
    if not (t and w and d):
        continue
    # A cell measured in a later run than the PyTorch one is marked.
    later = lambda r: " ²" if r.get("run") != t.get("run") else ""
    cell = lambda r: f"{r['seconds']:.1f} s, {r['peak_mib']:,} MiB{later(r)}"
    ratio = lambda r: f"{t['seconds'] / r['seconds']:.2f}"
    psnr = lambda k: ("identical" if a[k] == float("inf") else f"{a[k]:.1f} dB") if k in a else "-"
    out.append(f"| {case} | {cell(t)} | {cell(w)} | {ratio(w)} | {cell(d)} | {ratio(d)} | "
               f"{psnr('psnr_tiled_vs_whole')} | {psnr('psnr_whole_vs_torch')} |")
out.append("")
out.append("Ratio = PyTorch time / DSLRKit time (above 1: DSLRKit is faster). The last two columns")
out.append("are PSNR between the JPEG outputs: the default run against the whole-photo run, and")
out.append("DSLRKit against PyTorch (JPEG rounding alone keeps these finite). By default `dslr enhance`")
out.append("runs the whole photo when it fits the 2 GiB memory limit (1 MP) and tiles otherwise (12 MP),")
out.append("choosing the largest tiles that fit. DPED's eight whole-image instance norms then cost one")
out.append("statistics pass each (see docs/DESIGN.md, Tiles), which is why the tiled run is slower")
out.append("than the whole-photo run of the same network, in exchange for bounded memory.")
runs = sorted({r.get("run", "?") for r in rows})
if len(runs) > 1:
    out.append("")
    out.append(f"² Re-measured in a later run ({runs[-1]}) on the same machine after a change to the")
    out.append(f"tiled path; the other cells are from the run of {runs[0]}.")
replace_section(sys.argv[2], "enhance", "\n".join(out))
