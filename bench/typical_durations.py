"""Remake ``firehose_conformance/typical_durations.json`` from a run's results.

``run -n N`` orders scenarios longest first by the results file it replaces; a first run has
none and reads these durations instead (scheduling.py). They are only an order: a stale or
missing entry costs time, never a verdict. Remake them from a run against moto_server with the
wait bounds README's CI job gives it (the CI emulators' case), whenever scenarios are added or
renamed (tests/harness/test_alone_first.py fails when the file names a scenario the spec no
longer has):

    python -m moto.server -H 127.0.0.1 -p 5000 &
    firehose-conformance run --endpoint-url http://127.0.0.1:5000 -n 16 \\
        --target-option transition_timeout=5 --target-option delivery_timeout=10 \\
        --target-option metric_timeout=10 --target-option grant_timeout=10 \\
        --target-option poll_initial=0.2 --target-option poll_max=1 --results moto.json
    python bench/typical_durations.py moto.json "moto_server 5.2.5, CI's wait bounds, -n 16"
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from firehose_conformance.scheduling import TYPICAL_DURATIONS, read_durations


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: typical_durations.py RESULTS.json 'what the run was'", file=sys.stderr)
        return 2
    source, about = Path(argv[0]), argv[1]
    durations = {n: round(d, 1) for n, d in read_durations(source).items()}
    if not durations:
        print(f"typical_durations.py: no scenario durations in {source}", file=sys.stderr)
        return 2
    about = json.dumps(f"scenario durations of one run ({about}), only to order a first run -n N")
    rows = ",\n".join(
        "  " + json.dumps({"nodeid": n, "duration_s": d}) for n, d in sorted(durations.items())
    )
    text = f'{{\n "about": {about},\n "scenarios": [\n{rows}\n ]\n}}\n'  # a line each
    TYPICAL_DURATIONS.write_text(text, encoding="utf-8")
    print(f"wrote {len(durations)} durations to {TYPICAL_DURATIONS}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
