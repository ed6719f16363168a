"""Writes the "train" section of docs/BENCHMARKS.md from bench/train.sh's JSON lines.

    python bench/report_train.py RESULTS.jsonl LIBTORCH_VERSION > section.md

The best of the rounds is kept for each side, as the engine bench does.
"""
import json
import sys


def main(path, libtorch):
    rows = [json.loads(line) for line in open(path) if line.strip()]
    best = {}
    for row in rows:
        side = row["side"]
        if side not in best or row["its_per_second"] > best[side]["its_per_second"]:
            best[side] = row
    ours, peer = best["dslrkit"], best["pytorch"]
    batch, patch, n = ours["batch"], ours["patch"], ours["iterations"]
    print("## Training throughput\n")
    print(f"Measured by `bash bench/train.sh`: `dslr train recipes/dped.yaml` (release build) and the")
    print("same DPED generator, discriminator, losses (content 10 on VGG-19 relu5_4, colour 0.5,")
    print("texture 1, TV 2000) and Adam steps in eager PyTorch, alternating, two rounds in one run on")
    print(f"this machine; batch {batch} of {patch}x{patch} patches, {n} iterations per round, the first")
    print("not timed; one iteration is a generator step and a discriminator step. The best round")
    print(f"per side is kept. Machine: AMD EPYC, 2 threads. DSLRKit on libtorch {libtorch}; peer: PyTorch")
    print(f"{peer.get('torch', '?')}. DSLRKit's loader decodes JPEG patches in background threads; the")
    print("peer samples from patches decoded into memory before timing.\n")
    print("| recipe | DSLRKit | PyTorch | speed ratio (DSLRKit / PyTorch) |")
    print("| --- | --- | --- | --- |")
    a, b = ours["its_per_second"], peer["its_per_second"]
    print(f"| DPED, batch {batch}, {patch}x{patch} | {a:.4f} it/s ({1 / a:.1f} s/it) | {b:.4f} it/s ({1 / b:.1f} s/it) "
          f"| {a / b:.2f} |\n")
    print("A ratio above 1 means DSLRKit trains faster.")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
