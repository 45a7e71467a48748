"""Run every benchmark in bench/ (each module with a `main()`), or those named.

python -m bench             # all of them
python -m bench intake      # just bench/intake.py
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import bench


def benchmarks() -> list[str]:
    """Names of the modules in bench/ that define main(), in alphabetical order."""
    found = []
    for module in pkgutil.iter_modules(bench.__path__):
        if module.name.startswith("_"):
            continue
        if callable(getattr(importlib.import_module(f"bench.{module.name}"), "main", None)):
            found.append(module.name)
    return sorted(found)


def run(names: list[str]) -> int:
    available = benchmarks()
    unknown = [name for name in names if name not in available]
    if unknown:
        print(f"no benchmark {', '.join(unknown)}; there are: {', '.join(available)}")
        return 2
    for name in names or available:
        print(f"== bench/{name}.py", flush=True)
        module = importlib.import_module(f"bench.{name}")
        argv, sys.argv = sys.argv, [f"bench.{name}"]  # each benchmark runs with its defaults
        try:
            module.main()
        finally:
            sys.argv = argv
        print(flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
