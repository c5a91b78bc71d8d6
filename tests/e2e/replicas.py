"""`monitor once` as N replicas on one PostgreSQL database, for the evaluation harness's ``--monitor``.

    python -m tests.e2e.replicas --replicas 2 --database postgresql://... -- .venv/bin/monitor

The harness runs ``<command> once --config FILE``; this starts N `monitor once` processes at the same
moment, each on a copy of FILE whose storage is the given database, and exits with the worst exit code.
The copy sits beside FILE, so the paths in it mean what they meant.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--replicas", type=int, required=True)
    ap.add_argument("--database", required=True)
    ap.add_argument("monitor", nargs=argparse.REMAINDER, help="-- the monitor command, then its arguments")
    args = ap.parse_args()
    command = args.monitor[1:] if args.monitor[:1] == ["--"] else args.monitor
    config = Path(command[command.index("--config") + 1])
    shared = config.with_name(f"replicas-{config.name}")
    text = re.sub(r"(?m)^storage:\n  url: .*$", f"storage:\n  url: {args.database}", config.read_text("utf-8"))
    shared.write_text(text, encoding="utf-8")
    command[command.index("--config") + 1] = str(shared)
    with tempfile.TemporaryDirectory() as logs:
        outputs = [(Path(logs) / f"{i}.out", Path(logs) / f"{i}.err") for i in range(args.replicas)]
        running = []
        for out, err in outputs:  # files, not pipes: a replica's log never blocks it
            with out.open("w") as stdout, err.open("w") as stderr:
                running.append(subprocess.Popen(command, stdout=stdout, stderr=stderr))
        codes = [process.wait() for process in running]
        for out, err in outputs:
            sys.stdout.write(out.read_text())
            sys.stderr.write(err.read_text())
    return max(codes, key=abs)


if __name__ == "__main__":
    sys.exit(main())
