"""Unpacks the parts of the torch and NVIDIA runtime wheels that DSLRKit links.

The result mirrors site-packages (torch/ beside nvidia/) so that the wheel's own rpath,
$ORIGIN/../../nvidia/cu13/lib, finds the CUDA runtime. The CUDA half of libtorch
(libtorch_cuda.so and what only it needs) is left out: it cannot load without the large
NVIDIA wheels, and the CUDA route installs a complete torch instead (see README).
"""
import sys
import zipfile
from pathlib import Path

SKIP_LIBS = {
    "libtorch.so",  # only a shim that pulls in libtorch_cuda.so
    "libtorch_cuda.so",
    "libtorch_cuda_linalg.so",
    "libc10_cuda.so",
    "libtorch_nvshmem.so",
    "libcaffe2_nvrtc.so",
    "libtorch_python.so",
}


def wanted(name: str) -> bool:
    if name.startswith("torch/include/") or name == "torch/version.py":
        return True
    if name.startswith("torch/lib/"):
        return Path(name).name not in SKIP_LIBS and not name.endswith("/")
    if name.startswith("nvidia/") and "/lib/" in name:
        return not name.endswith("/")
    return False


def main(wheels: Path, root: Path) -> None:
    root.mkdir(parents=True)
    found = 0
    for wheel in sorted(wheels.glob("*.whl")):
        with zipfile.ZipFile(wheel) as zf:
            for info in zf.infolist():
                if wanted(info.filename):
                    zf.extract(info, root)
                    found += 1
    if not (root / "torch/lib/libtorch_cpu.so").exists():
        sys.exit(f"unpack_libtorch: no torch/lib/libtorch_cpu.so in {wheels}")
    print(f"unpack_libtorch: {found} files", file=sys.stderr)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
