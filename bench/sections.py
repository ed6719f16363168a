"""Replaces one bench's section of docs/BENCHMARKS.md, keeping the others.

    python bench/sections.py NAME FILE < section.md

A section lies between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->`; a missing one is
appended. The file's first line (the title) is created if the file does not exist.
"""
import sys
from pathlib import Path


def replace_section(path, name, text):
    begin, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    file = Path(path)
    old = file.read_text() if file.exists() else "# Benchmarks\n"
    block = f"{begin}\n{text.strip()}\n{end}"
    if begin in old and end in old:
        head, rest = old.split(begin, 1)
        new = head + block + rest.split(end, 1)[1]
    else:
        new = old.rstrip("\n") + "\n\n" + block + "\n"
    file.write_text(new)


if __name__ == "__main__":
    replace_section(sys.argv[2], sys.argv[1], sys.stdin.read())
