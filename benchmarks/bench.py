"""`make bench`: runs every benchmarks/bench_*.py and writes their sections to BENCHMARKS.md.

Each module defines ``TITLE`` (section heading) and ``run() -> str`` (the section's markdown body,
including how it was measured). ``python benchmarks/bench.py cold_start doctor`` runs only the named
modules and replaces only their sections. Benchmarks are never timed tests: results are written down.
"""

from __future__ import annotations

import importlib
import platform
import re
import sys
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUTPUT = REPO / "BENCHMARKS.md"
HEADER = "# Benchmarks\n\nResults of `make bench` (benchmarks/bench_*.py). Re-run it to refresh this file.\n"


def _sections(text: str) -> dict[str, str]:
    parts = re.split(r"^## ", text, flags=re.MULTILINE)[1:]
    return {part.split("\n", 1)[0].strip(): "## " + part.rstrip() + "\n" for part in parts}


def main(selected: list[str]) -> None:
    sys.path.insert(0, str(HERE))
    available = sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))
    names = selected or available
    titles = {importlib.import_module(f"bench_{name}").TITLE for name in available}
    existing = _sections(OUTPUT.read_text(encoding="utf-8")) if OUTPUT.exists() else {}
    existing = {title: text for title, text in existing.items() if title in titles}  # drop retired sections
    machine = f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}"
    for name in names:
        module = importlib.import_module(f"bench_{name}")
        print(f"== {module.TITLE}", flush=True)
        body = module.run().strip()
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        existing[module.TITLE] = f"## {module.TITLE}\n\nMeasured {stamp} on {machine} (`make bench`).\n\n{body}\n"
        print(body, flush=True)
    OUTPUT.write_text(HEADER + "\n" + "\n".join(existing[k] for k in existing), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
