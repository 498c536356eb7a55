"""Mutation score of the suite over the reference's Firehose model, measured with mutmut.

A benchmark outside CI: mutmut (3.x) mutates every function of ``reference_impl/firehose/`` and
runs, per mutant, the suite's scenarios that execute the mutated function against the reference
target; a mutant the suite does not notice survives. The score is killed / (killed + survived);
mutants no scenario executes ("no tests") and timeouts are listed apart.

mutmut reads its configuration from ``[tool.mutmut]`` in pyproject.toml or ``[mutmut]`` in
setup.cfg of the directory it runs in. So that the project's own files carry no mutmut settings,
the script copies what the suite needs into a work directory, writes a setup.cfg there and runs
mutmut in it. mutmut is not a project dependency: ``pip install mutmut`` first.

    python bench/bench_mutation.py                    # all of the Firehose model (~1.5 h, 2 cores)
    python bench/bench_mutation.py --only 'reference_impl/firehose/limits.py'
    python bench/bench_mutation.py --workdir /tmp/mm --keep --report reports/mutation.txt

The report lists every surviving mutant with its diff, so each can be judged: an equivalent
mutant, a behaviour the documents leave open, or a gap in the spec.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COPIED = ("reference_impl", "firehose_conformance", "steps", "features", "pyproject.toml")
MUTATED = "reference_impl/firehose"
# The suite as `firehose-conformance run` runs it, against the reference target (the default).
PYTEST_ARGS = ("-p", "firehose_conformance.plugin", "-p", "no:cacheprovider", "-W", "ignore")


def setup_cfg(only: list[str], extra_pytest: list[str]) -> str:
    lines = [
        "[mutmut]",
        f"source_paths = {MUTATED}",
        "also_copy =",
        *(f"    {name}" for name in COPIED if name != "pyproject.toml"),
        "pytest_add_cli_args_test_selection = steps",
        "pytest_add_cli_args =",
        *(f"    {arg}" for arg in (*PYTEST_ARGS, *extra_pytest)),
    ]
    if only:
        lines += ["only_mutate =", *(f"    {pattern}" for pattern in only)]
    return "\n".join(lines) + "\n"


def prepare(workdir: Path, only: list[str], extra_pytest: list[str]) -> None:
    for name in COPIED:
        source = ROOT / name
        target = workdir / name
        if source.is_dir():
            shutil.copytree(
                source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "mutants")
            )
        else:
            shutil.copy2(source, target)
    # pyproject.toml must not carry [tool.mutmut] (it would win over setup.cfg); it does not.
    (workdir / "setup.cfg").write_text(setup_cfg(only, extra_pytest), encoding="utf-8")


def mutmut(workdir: Path, *args: str, log: Path | None = None) -> subprocess.CompletedProcess:
    """Run one mutmut command in the work directory; with ``log``, its output goes there."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    command = ["mutmut", *args]
    if log is None:
        return subprocess.run(
            command, cwd=workdir, env=env, capture_output=True, text=True, check=False
        )
    with log.open("w", encoding="utf-8") as out:
        return subprocess.run(
            command, cwd=workdir, env=env, stdout=out, stderr=subprocess.STDOUT, check=False
        )


def statuses(workdir: Path) -> dict[str, str]:
    """{mutant name: status} from ``mutmut results --all true``."""
    done = mutmut(workdir, "results", "--all", "true")
    found = {}
    for line in done.stdout.splitlines():
        match = re.match(r"^\s*(\S+): (.+)$", line)
        if match:
            found[match[1]] = match[2].strip()
    return found


def report(workdir: Path, seconds: float) -> str:
    found = statuses(workdir)
    by_status: dict[str, list[str]] = {}
    for name, status in found.items():
        by_status.setdefault(status, []).append(name)
    killed = len(by_status.get("killed", []))
    survived = sorted(by_status.get("survived", []))
    judged = killed + len(survived)
    score = killed / judged if judged else 0.0
    lines = [
        f"mutmut over {MUTATED}: {len(found)} mutants in {seconds / 60:.1f} min",
        "  " + ", ".join(f"{status} {len(names)}" for status, names in sorted(by_status.items())),
        f"  mutation score (killed / (killed + survived)): {score:.1%}",
        "",
    ]
    for name in survived:
        diff = mutmut(workdir, "show", name).stdout.strip()
        lines += [f"--- survived: {name}", diff, ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, help="where to run (default: a temporary dir)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument("--only", action="append", default=[], help="glob of files to mutate")
    parser.add_argument("--max-children", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--report", type=Path, help="also write the report here")
    parser.add_argument(
        "--pytest-arg", action="append", default=[], help="extra pytest argument (repeatable)"
    )
    args = parser.parse_args()
    if shutil.which("mutmut") is None:
        sys.exit("mutmut is not installed: pip install mutmut")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="fsc-mutmut-"))
    workdir.mkdir(parents=True, exist_ok=True)
    if not (workdir / "setup.cfg").exists():
        prepare(workdir, args.only, args.pytest_arg)
    started = time.perf_counter()
    log = workdir / "mutmut-run.log"
    print(f"mutmut run in {workdir} (progress in {log})", flush=True)
    run = mutmut(workdir, "run", "--max-children", str(args.max_children), log=log)
    seconds = time.perf_counter() - started
    if run.returncode != 0:
        sys.exit(f"mutmut run failed with exit code {run.returncode}; see {log}")
    text = report(workdir, seconds)
    print(text)
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(text, encoding="utf-8")
    stats = workdir / "mutants" / "mutmut-cicd-stats.json"
    if mutmut(workdir, "export-cicd-stats").returncode == 0 and stats.exists():
        print(json.dumps(json.loads(stats.read_text()), indent=None))
    if args.keep or args.workdir:
        print(f"work dir kept: {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
