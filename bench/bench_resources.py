"""What one full aws-target run creates: without the per-run key pool, with it, and with the
cost policy's key-spec sampling (the default), side by side.

The counts come from the scenarios' steps (firehose_conformance/resources.py), as the aws
target's plan states them; "without the pool" gives every key a scenario names (or makes for
itself) to that scenario, as before issue 16. The scenarios are collected as a run against the
aws target collects them (its cost policy leaves @slow and @scale out, and with the default
``key_specs=family`` one row per key family of each key-spec outline; cost_policy.py), once with
``key_specs=all`` and once with the default. ``--moto`` also runs the aws target (default
options) against moto_server in process (dummy credentials, loopback only; minutes on 2 cores)
and prints what it really created beside the plan (moto refuses some key specs and some
scenarios stop early there, so it creates less than a real account would).
``--workers N`` runs it as ``run -n N`` does (one run and one key pool for all workers): its
counts should be the serial run's, apart from lent keys borrowed by scenarios in flight at once.

    python bench/bench_resources.py
    python bench/bench_resources.py --moto
    python bench/bench_resources.py --moto --workers 4
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections import Counter
from typing import Any

from firehose_conformance.cost_policy import KeySpecs
from firehose_conformance.pricing import describe, estimate
from firehose_conformance.resources import Kind, RunPlan, plan_for, runs_on, scenario_demand
from firehose_conformance.runner import Collected, collect, run_suite
from firehose_conformance.targets.aws import AwsTarget

FAST = {"transition_timeout": "5", "delivery_timeout": "5", "metric_timeout": "5"}
FAST |= {"grant_timeout": "5", "poll_initial": "0.2", "poll_max": "1"}


class _AwsLike:
    capabilities = AwsTarget.capabilities
    pool = True  # the plan with the pool

    def has(self, capability: Any) -> bool:
        return capability in self.capabilities


def plans(found: Collected) -> tuple[RunPlan, Counter[Kind]]:
    """The plan with the pool (and what the cost policy left out beside it), and the counts
    without the pool (every key the scenario's own)."""
    plan = plan_for(_AwsLike(), found.items, found.left_out, found.considered)
    without: Counter[Kind] = Counter()
    for item in found.items:
        if runs_on(_AwsLike(), item):
            demand = scenario_demand(item)
            without.update(demand.counts)
            without[Kind.KMS_KEY] += len(demand.pool_keys)
    for kind in Kind:
        without[kind] += plan.per_run[kind]
    without[Kind.IAM_ROLE] += 1  # the delivery role
    return plan, without


def _keys(plan: RunPlan) -> str:
    lent = sum(1 for key in plan.pool_keys() if key.lent)
    return (
        f"{plan.total(Kind.KMS_KEY)} = {len(plan.pool_keys()) - lent} shared + {lent} lent + "
        f"{plan.own[Kind.KMS_KEY]} own"
    )


def run_on_moto(workers: int = 0) -> dict[str, Any]:
    from moto.server import ThreadedMotoServer

    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        os.environ.pop(name, None)
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")
    empty = tempfile.mkdtemp(prefix="fsc-bench-")
    os.environ["AWS_CONFIG_FILE"] = os.path.join(empty, "config")
    os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.path.join(empty, "credentials")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    options = {"endpoint_url": f"http://{host}:{port}", "allow_live_aws": "yes"}
    options |= {"account_id": "123456789012", "region": "eu-west-1", **FAST}
    try:
        run = run_suite("aws", options, workers=workers)
    finally:
        server.stop()
    return run.results.provenance["target"]["resources"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moto", action="store_true", help="also run it against moto_server")
    parser.add_argument(
        "--workers", type=int, default=0, metavar="N", help="with --moto: as run -n N does"
    )
    args = parser.parse_args(argv)
    every, without = plans(collect("aws", {"key_specs": KeySpecs.ALL.value}))
    sampled, _ = plans(collect("aws", {"key_specs": KeySpecs.FAMILY.value}))
    columns = {"all, no pool": without}
    for name, plan in (("all, pool", every), ("family, pool", sampled)):
        planned = Counter({Kind(k): v for k, v in plan.totals().items()})
        planned[Kind.IAM_ROLE] += 1  # the delivery role
        columns[name] = planned
    measured = run_on_moto(args.workers) if args.moto else None
    print(
        f"a full aws-target run: {every.scenarios} scenarios run on the account with "
        f"key_specs=all, {sampled.scenarios} with the default key_specs=family (columns: "
        "key_specs, and the key pool; the default is 'family, pool')"
    )
    head = f"{'resource':<28}" + "".join(f"{name:>18}" for name in columns)
    where = f"moto -n {args.workers}" if args.workers else "moto"
    print(head + (f"{where + ': created':>20}" if measured else ""))
    for kind in Kind:
        line = f"{kind.value:<28}" + "".join(f"{c[kind]:>18}" for c in columns.values())
        if measured:
            line += f"{measured['created'].get(kind.value, 0):>20}"
        print(line)
    print(f"KMS keys with the pool, key_specs=all:    {_keys(every)}")
    print(f"KMS keys with the pool, key_specs=family: {_keys(sampled)}")
    print("left out by the cost policy (not selected), with the default:")
    for group in sampled.left_out:
        print(
            f"  {group.rule.name}: {group.scenarios} of {group.considered} scenarios "
            f"(running them too: +{group.adds(sampled, Kind.KMS_KEY)} KMS keys)"
        )
    print("with the pool and the default key_specs=family:")
    print("\n".join("  " + line for line in describe(estimate(sampled))))
    if args.workers:
        lent = sum(1 for key in sampled.pool_keys() if key.lent)
        most = sampled.lent_at_most(args.workers)
        print(f"with -n {args.workers}: lent keys {lent} to {most} (scenarios in flight at once)")
    if measured:
        pooled = measured["pooled_keys"]
        made_lent = sum(1 for name in pooled if name.startswith("lent "))
        print(
            f"{where}: pooled keys made {len(pooled)} = {len(pooled) - made_lent} shared + "
            f"{made_lent} lent"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
