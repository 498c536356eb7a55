"""A real AWS account, only when asked for explicitly.

``--target aws --allow-live-aws --account-id 123456789012 --region eu-west-1``
(or ``--target-option allow_live_aws=yes --target-option account_id=… --target-option
region=…``; the region may also come from ``AWS_REGION``, ``AWS_DEFAULT_REGION`` or the profile).
Other options: ``role_arn=…`` (a delivery role to use instead of creating one), ``aws_profile=…``
(``--profile``, a named profile), the wait bounds of ``WaitProfile`` in seconds,
``iam_propagation_seconds=…``, ``cleanup_pause_seconds=…``, ``pool=no`` (every scenario
makes its own keys, none shared or lent: see pool.py) and ``key_specs=all`` (every row of the
key-spec outlines, where by default one row per key family runs: see cost_policy.py).
``endpoint_url=http://127.0.0.1:PORT`` is for the harness's own tests only (an emulator standing
in for AWS, with dummy credentials); see ``aws_options``. An endpoint configured for boto3
(``AWS_ENDPOINT_URL``, ``AWS_ENDPOINT_URL_<SERVICE>``, the profile's) is never followed: the target
refuses to start while one is set, rather than send a real account's calls somewhere else or
silently ignore it.

Safety: nothing talks to AWS before the options pass; the credentials must belong to the given
account (STS GetCallerIdentity) or nothing is created; the plan is printed before the first
resource is made; everything made is named ``fsc-<run id>-…`` and tagged, and is removed after
each scenario and at the end of the run, also when a scenario fails, on Ctrl-C or SIGTERM. A
SIGKILL cannot be caught: ``firehose-conformance sweep --target aws`` removes what it leaves.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import itertools
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TextIO

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, ProfileNotFound

from firehose_conformance import actions
from firehose_conformance.aws_clients import (
    AWS_TIMEOUTS,
    SUITE_SERVICES,
    client_config,
    configured_endpoint,
    configured_region,
    dummy_session,
    make_client,
    profile_session,
)
from firehose_conformance.capabilities import Capability
from firehose_conformance.cost_policy import RealAccountPolicy, Rule
from firehose_conformance.errors import TargetMisbehaved
from firehose_conformance.pool import KeyPool
from firehose_conformance.pricing import describe, estimate
from firehose_conformance.resources import Kind, RunPlan
from firehose_conformance.run_registry import (
    SHARED_ACROSS_PROCESSES,
    RunRegistry,
    RunRole,
    RunState,
)
from firehose_conformance.targets.aws_options import (
    CLEANUP_ATTEMPTS,
    AwsOptions,
    key_specs_option,
    parse_options,
)
from firehose_conformance.targets.aws_resources import (
    KEY_PENDING_WINDOW_DAYS,
    PREFIX,
    REGION_TAG_KEY,
    ROLE_PATH,
    TAG_KEY,
    caller_policy,
    caller_role_name,
    caller_trust_policy,
    create_role,
    delete_role,
    delivery_policy,
    delivery_role_name,
    delivery_trust_policy,
)
from firehose_conformance.targets.base import KeyRef, Ledger, Target
from reference_impl.aws_models import PinnedSession

if TYPE_CHECKING:
    from firehose_conformance.shared_run import SharedRun

# AWS SDKs retry a 5xx; a real account's transient InternalFailure must not decide a verdict.
SERVER_ERROR_ATTEMPTS = 3
ASSUME_ROLE_WAIT = 120.0  # a new role may be unassumable for a while (IAM propagation)
RESTART_NUMBERS = 100_000  # names a worker numbers before one started in its place does
# Cost choices (cost_policy.py): a real account could run these, in a day or with thousands of
# streams; they are left out of the selection (not_selected), not judged not applicable.
ELSEWHERE = (
    "no option runs them on the aws target: run them against the reference or an emulator, "
    "where waiting and resources cost nothing"
)
LEFT_OUT_TAGS = MappingProxyType(
    {
        "slow": Rule("@slow", "needs ~24 h on a real account", ELSEWHERE),
        "scale": Rule(
            "@scale", "needs hundreds or thousands of streams on a real account", ELSEWHERE
        ),
    }
)


class AwsTarget(Target):
    """A real account, reached with the usual credential chain, in one pinned region.

    No controllable clock, no view of the bytes at rest, no instant key deletion: those
    scenarios are N/A. It can make a caller without KMS permissions (an IAM role it creates)
    and read CloudTrail's event history. Its cost policy leaves ``@slow`` and ``@scale``
    scenarios, and key-spec rows beyond one per key family, out of the selection.
    """

    name = "aws"
    plans = True
    capabilities = frozenset({Capability.IAM, Capability.CLOUDTRAIL})

    @classmethod
    def cost_policy(cls, options: Mapping[str, str]) -> RealAccountPolicy:
        return RealAccountPolicy(tags=LEFT_OUT_TAGS, key_specs=key_specs_option(options))

    def __init__(self, *, console: TextIO | None = None, **options: str) -> None:
        options, self.region_source = _with_configured_region(options)
        parsed = parse_options(options)  # before anything talks to AWS
        if not parsed.testing:
            _refuse_configured_endpoints(parsed.aws_profile)
        super().__init__()
        self.options: AwsOptions = parsed
        self.region = parsed.region
        self.account_id = parsed.account_id
        self.profile = parsed.profile
        self.endpoint_url = parsed.endpoint_url
        # Taken now: the CLI makes a target once before pytest captures the terminal.
        self._console = console or _terminal()
        self._session = _session(parsed)
        self.caller_arn, self.partition = self._confirm_account()
        self.started = time.time()
        # Run-level resources (IAM roles, pooled keys) are kept in the run's registry, shared
        # by the workers of ``run -n N`` (join_run); a serial run has one of its own. Whoever
        # owns the run (a serial target; under xdist the controller's) removes them at close.
        self._registry = RunRegistry(tempfile.mkdtemp(prefix="fsc-registry-"))
        # Removed at close, or when the target is collected or the interpreter exits.
        self._own_registry = weakref.finalize(
            self, shutil.rmtree, self._registry.directory, ignore_errors=True
        )
        self._process = "serial"  # this process in the registry: "serial", "gw3", "controller"
        self._owns_run = True
        self._workers = 1
        self._plan: RunPlan | None = None
        # What the run said it would create and what it did: the results' provenance.target
        # (a dict kept up to date, so the identity taken at the first scenario shows the end).
        self._resources: dict[str, Any] = {"planned": None, "created": {}, "pooled_keys": {}}
        # Keys shared by scenarios that only use them, or lent to one at a time (pool.py).
        self.pool = self._new_pool()
        self._provisioned = False
        self._closed = False
        self._delivery_role = parsed.role_arn
        self._caller_client: Any = None
        self._interrupts = _Interrupts(self._say)

    # ---- safety ---------------------------------------------------------------------------------
    def _confirm_account(self) -> tuple[str, str]:
        """The caller's ARN and partition, once STS says the credentials are the account's."""
        sts = self.make_client("sts", validate=True)
        where = f" at {self.endpoint_url}" if self.endpoint_url else ""
        try:
            identity = sts.get_caller_identity()
        except NoCredentialsError:
            raise ValueError(
                "no AWS credentials found (environment, shared config, or aws_profile=NAME)"
            ) from None
        except ClientError as error:
            err = error.response.get("Error", {})
            raise ValueError(
                f"STS GetCallerIdentity{where} refused the credentials: "
                f"{err.get('Code', '?')}: {err.get('Message', '')}".strip()
            ) from None
        except BotoCoreError as error:
            raise ValueError(f"cannot ask STS{where} who the credentials are: {error}") from None
        account, arn = str(identity.get("Account", "")), str(identity.get("Arn", ""))
        if account != self.account_id:
            raise ValueError(
                f"refusing: the credentials belong to account {account} ({arn}), not to "
                f"{self.account_id} given by --account-id"
            )
        partition = arn.split(":")[1] if arn.count(":") >= 5 else "aws"
        return arn, partition

    def identity(self) -> dict[str, Any]:
        return {
            **super().identity(),
            "partition": self.partition,
            "caller": self.caller_arn,
            "resources": self._resources,
        }

    def _new_pool(self) -> KeyPool | None:
        if not self.options.pool:
            return None
        return KeyPool(self._registry, self._process, self._pool_changed)

    def join_run(self, run: SharedRun) -> None:
        """Take part in the run the xdist controller named: its run id (names and tags), its
        registry (run-level resources and the pool made once for every worker), names that no
        other worker makes (every Nth number), and, for the controller's target, its close."""
        if self._provisioned:
            raise TargetMisbehaved("suite defect: join_run after the target made something")
        if run.worker and not SHARED_ACROSS_PROCESSES:
            raise ValueError("run -n N needs POSIX file locks (Linux, macOS): run it serially")
        self._forget_own_registry()
        self.run_id = run.run_id
        self._registry = run.registry
        self._process = run.worker or "controller"
        self._owns_run = not run.worker
        self._workers = run.workers
        self.pool = self._new_pool()
        if run.worker:
            with self._registry.open() as state:
                state.run_id = run.run_id
                # A worker xdist started again in place of one that died takes numbers of its
                # own, so it never repeats a name the dead one may have left.
                again = state.joined.count(run.worker)
                state.joined.append(run.worker)
            first = run.index + 1 + again * run.workers * RESTART_NUMBERS
            self._counter = itertools.count(first, run.workers)

    def _forget_own_registry(self) -> None:
        self._own_registry()  # once: a second call does nothing

    def expect(self, plan: RunPlan) -> None:
        """The selected scenarios' demand, for the plan (before anything is created)."""
        self._plan = plan
        planned = plan.totals()
        planned[Kind.IAM_ROLE.value] += 0 if self.options.role_arn else 1  # the delivery role
        self._resources["planned"] = {
            **planned,
            "KMS keys shared": sum(1 for k in plan.pool_keys() if not k.lent),
            "KMS keys lent": sum(1 for k in plan.pool_keys() if k.lent),
            "KMS keys own": plan.own[Kind.KMS_KEY],
            "scenarios": plan.scenarios,
            "estimated_usd": round(estimate(plan).total, 2),
            "left out": {group.rule.name: group.scenarios for group in plan.left_out},
        }
        with self._registry.open() as state:  # every worker computes the same plan
            state.planned = state.planned or self._resources["planned"]

    def _pool_changed(self) -> None:
        if self.pool is not None:
            self._resources["pooled_keys"] = self.pool.record()

    def made(self, kind: str, name: str) -> None:
        super().made(kind, name)
        self._resources["created"] = dict(self.created)

    def make_client(self, service: str, *, validate: bool) -> Any:
        # Throttling is waited out by Target.invoke (and observed where a scenario asks); 5xx
        # are retried by invoke below, so botocore itself makes one attempt.
        config = client_config(
            self.region,
            validate=validate,
            timeouts=AWS_TIMEOUTS,
            path_style=self.endpoint_url is not None,
        )
        return make_client(self._session, service, config, self.endpoint_url)

    def invoke(self, client: Any, method: str, params: dict[str, Any], *, retry_throttling: bool):
        """As ``Target.invoke``; a 5xx or a dropped connection is tried again twice (as AWS
        SDKs do) before it becomes the scenario's ``error`` verdict."""
        for attempt in range(1, SERVER_ERROR_ATTEMPTS + 1):
            try:
                return super().invoke(client, method, params, retry_throttling=retry_throttling)
            except TargetMisbehaved as error:
                if attempt == SERVER_ERROR_ATTEMPTS:
                    raise TargetMisbehaved(f"{error} (after {attempt} attempts)") from None
                time.sleep(0.1 if self.options.testing else 2.0**attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    # ---- what a run creates -----------------------------------------------------------------
    def resource_tags(self) -> dict[str, str]:
        return {TAG_KEY: self.run_id, REGION_TAG_KEY: self.region}

    def plan(self) -> str:
        """What this run is about to create, and how it is removed."""
        prefix = f"{PREFIX}{self.run_id}-"
        tags = ", ".join(f"{k}={v}" for k, v in self.resource_tags().items())
        if self._delivery_role:
            role = f"  - nothing for delivery: the given role {self._delivery_role} is used as is"
        else:
            role = (
                f"  - IAM role {ROLE_PATH}{delivery_role_name(self.run_id)}: Firehose may assume "
                f"it; inline policy for S3, Kinesis and KMS on this run's resources only"
            )
        counts = self._plan_counts()
        lines = [
            f"aws target: account {self.account_id} (STS: {self.caller_arn}), "
            f"region {self.region} (pinned, from {self.region_source})"
            + (f", emulated at {self.endpoint_url} (tests only)" if self.endpoint_url else ""),
            f"run {self.run_id}: everything below is named {prefix}… and tagged {tags}",
            "about to create:",
            role,
            "  - per scenario, as it needs them: KMS keys and aliases, S3 buckets, Firehose "
            "delivery streams, Kinesis data streams",
            f"  - if a scenario needs it (@needs-iam): IAM role {ROLE_PATH}"
            f"{caller_role_name(self.run_id)}, a caller without KMS permissions",
            *counts,
            "removed after each scenario and at the end, also on failure, Ctrl-C or SIGTERM "
            f"(KMS keys: deletion scheduled in {KEY_PENDING_WINDOW_DAYS} days, the shortest)",
            *self._left_out_lines(),
            "after a SIGKILL: firehose-conformance sweep --target aws --allow-live-aws "
            f"--account-id {self.account_id} --region {self.region} "
            f"[--run-id {self.run_id}] [--yes]",
        ]
        return "\n".join(lines)

    def _plan_counts(self) -> list[str]:
        """The counts and the cost of the selected scenarios (none before ``expect``)."""
        plan = self._plan
        if plan is None:
            return ["  counts: not known (no selection was given to the target)"]
        planned = self._resources["planned"]
        pooled = sorted(plan.pool_keys())
        shared = [k for k in pooled if not k.lent]
        lines = [
            f"counts for the {plan.scenarios} scenario(s) selected that run here "
            "(from their steps; a creation refused, or a scenario stopped early, creates less):",
            f"  - KMS keys: {planned[Kind.KMS_KEY.value]} = {len(shared)} shared by the "
            f"scenarios that only use them + {len(pooled) - len(shared)} lent to one scenario "
            "at a time that changes it or reads its grants, restored after it (both made once, "
            f"removed at the end) + {plan.own[Kind.KMS_KEY]} of scenarios that make them as "
            "the check or change them for good",
        ]
        for kind in Kind:
            if kind is not Kind.KMS_KEY:
                lines.append(f"  - {kind.value}: {planned[kind.value]}")
        if pooled:
            lines.append("  pooled keys: " + ", ".join(k.describe() for k in pooled))
        if self._workers > 1:
            lines.append(self._parallel_counts(plan))
        return lines + ["  " + line for line in describe(estimate(plan))]

    def _left_out_lines(self) -> list[str]:
        """What the cost policy leaves out: with the selection known, how many scenarios per
        rule and what running them too would add; else the rules."""
        if self._plan is None:
            rules = self.cost_policy({"key_specs": self.options.key_specs.value}).rules()
            return ["left out by the cost policy (not selected):"] + [
                f"  - {rule.name}: {rule.reason}; {rule.include}" for rule in rules
            ]
        plan = self._plan
        if not plan.left_out:
            return ["left out by the cost policy: nothing of this selection"]
        lines = ["left out by the cost policy (not selected, not counted above):"]
        for group in plan.left_out:
            rule = group.rule
            if rule.name.startswith("@"):
                what = f"{group.scenarios} {rule.name} scenario(s) ({rule.reason}; {rule.include})"
            else:
                keys = group.adds(plan, Kind.KMS_KEY)
                usd = estimate(group.with_them).total - estimate(plan).total
                what = (
                    f"{group.scenarios} of {group.considered} key-spec rows ({rule.name}: "
                    f"{rule.reason}; {rule.include}: +{keys} KMS keys, +${usd:.2f})"
                )
            lines.append(f"  - {what}")
        return lines

    def _parallel_counts(self, plan: RunPlan) -> str:
        """Under ``run -n N``: the counts are the run's, with the bound on lent keys."""
        lent = sum(1 for k in plan.pool_keys() if k.lent)
        most = plan.lent_at_most(self._workers)
        text = (
            f"  run -n {self._workers}: one run and one pool for all workers: these counts are "
            "the whole run's, whichever worker makes them"
        )
        if most > lent:
            keys = self._resources["planned"][Kind.KMS_KEY.value]
            text += (
                f"; scenarios in flight at once that borrow a lent key of the same kind each get "
                f"one, so lent keys {lent} to {most}, KMS keys {keys} to {keys + most - lent} "
                "(the estimate counts the first)"
            )
        return text

    def _provision(self) -> None:
        """Print the plan (once per run: the first process of the run to start), arm the
        interruption handlers, then have the run's delivery role (made once per run)."""
        if self._provisioned:
            return
        if self._closed:
            raise TargetMisbehaved("suite defect: the aws target was used after close()")
        self._provisioned = True
        with self._registry.open() as state:  # before anything of the run is made
            if not state.plan_printed:
                self._say(self.plan())
                state.plan_printed = True
        self._interrupts.install()
        atexit.register(self.close)
        if self._delivery_role is None:
            self._delivery_role = self._run_role(
                "delivery",
                delivery_role_name(self.run_id),
                trust=delivery_trust_policy(self.account_id),
                policy=delivery_policy(self.partition, self.region, self.account_id, self.run_id),
                description=f"firehose-conformance run {self.run_id}: Firehose delivery",
                wait=self.options.iam_propagation_seconds,
            )

    def _run_role(
        self,
        which: str,
        name: str,
        *,
        trust: dict[str, Any],
        policy: dict[str, Any],
        description: str,
        wait: float,
    ) -> str:
        """The ARN of the run's role ``which``, made by the first process of the run that needs
        it (entered in the registry before it is made, so that it is removed at the end even if
        its making fails half way); IAM may need ``wait`` seconds before a new role works."""
        with self._registry.open() as state:
            role = state.roles.get(which)
            if role is None or not role.arn:
                role = state.roles[which] = RunRole(name, "")
                role.arn = create_role(
                    self.client("iam"),
                    name,
                    trust=trust,
                    policy=policy,
                    tags=self.resource_tags(),
                    description=description,
                )
                role.ready_at = time.time() + wait
                self.made(Kind.IAM_ROLE, name)
                if wait:
                    self._say(
                        f"aws target: waiting {wait:g} s for IAM to make the new role assumable"
                    )
        pause = role.ready_at - time.time()
        if pause > 0:  # also a worker that found it made a moment ago
            time.sleep(pause)
        return role.arn

    def delivery_role_arn(self) -> str:
        self._provision()
        assert self._delivery_role is not None
        return self._delivery_role

    # ---- scenario lifecycle -------------------------------------------------------------------
    def start_scenario(self) -> None:
        self._provision()

    def finish_scenario(self) -> list[str]:
        with self._interrupts.shielded():
            return self._unwind(self.ledger)

    def close(self) -> None:
        """Remove whatever this process left (a scenario's), then, where this target owns the
        run (a serial run's; under xdist the controller's, once every worker is down), the
        run-level resources of the registry, and say what the whole run created; idempotent;
        also at exit."""
        if self._closed:
            return
        self._closed = True
        if self.pool is not None:
            self.pool.closing = True  # no lent key is restored for a next scenario now
        problems: list[str] = []
        state: RunState | None = None
        try:
            with self._interrupts.shielded():
                if self._provisioned:
                    problems = self._unwind(self.ledger)
                state = self._finish(problems)
                if self._owns_run and state.plan_printed:
                    problems = [p for left in state.problems.values() for p in left]
                    problems += self._remove_run_level()
        except KeyboardInterrupt:
            self._say(f"aws target: cleanup abandoned; {self._sweep_hint()}")
            raise
        finally:
            self._interrupts.uninstall()
            atexit.unregister(self.close)
            if self._owns_run:
                self._forget_own_registry()
        if not self._owns_run:  # a worker: the controller says the rest, once
            if problems:
                self._say(f"aws target ({self._process}): could not remove: " + "; ".join(problems))
            return
        assert state is not None
        if not state.plan_printed:
            return  # nothing was made
        unfinished = sorted(
            {w for w in state.joined if state.joined.count(w) > state.finished.count(w)}
        )
        if unfinished:
            problems.append(
                f"the scenario in flight in {', '.join(unfinished)} (the worker ended before "
                "closing its target)"
            )
        self._say(f"aws target: {self._made_summary(state)}")
        if problems:
            self._say("aws target: could not remove: " + "; ".join(problems))
            self._say(f"aws target: {self._sweep_hint()}")
        else:
            self._say(f"aws target: run {self.run_id} removed everything it created")

    def _finish(self, problems: list[str]) -> RunState:
        """Enter in the registry that this process is done, what it made and what it left."""
        with self._registry.open() as state:
            if self._process != "controller":
                state.created[self._process] = dict(self.created)
                state.problems[self._process] = list(problems)
                state.finished.append(self._process)
            return state

    def _remove_run_level(self) -> list[str]:
        """The run's roles deleted and its pooled keys' deletion scheduled (once per run), and
        what could not be removed."""
        with self._registry.open() as state:
            if state.removed:
                return []
            state.removed = True
            roles, keys = list(state.roles.values()), list(state.keys.values())
        ledger = Ledger()
        for role in roles:
            ledger.add(
                f"IAM role {role.name}",
                functools.partial(delete_role, self.client("iam"), role.name),
            )
        for key in keys:  # newest first: the keys, then the roles
            ledger.add(
                f"KMS key {key.arn}",
                functools.partial(
                    actions.schedule_deletion_quietly, self, KeyRef(key.key_id, key.arn)
                ),
            )
        return self._unwind(ledger)

    def _unwind(self, ledger: Ledger) -> list[str]:
        """The ledger undone, what fails tried again after a growing pause."""
        return ledger.unwind(
            attempts=CLEANUP_ATTEMPTS,
            pause=lambda attempt: time.sleep(self.options.cleanup_pause_seconds * attempt),
        )

    def _made_summary(self, state: RunState) -> str:
        """What every process of the run made, summed, beside what the plan said."""
        created = state.total_created()
        made = ", ".join(f"{kind.value} {created.get(kind.value, 0)}" for kind in Kind)
        if len(state.finished) > 1:
            made += f" (by {len(state.finished)} workers)"
        planned = state.planned
        if planned is None:
            return f"created: {made}"
        said = ", ".join(f"{kind.value} {planned[kind.value]}" for kind in Kind)
        return f"created: {made} (the plan said: {said})"

    def _sweep_hint(self) -> str:
        return (
            "remove the leftovers with: firehose-conformance sweep --target aws --allow-live-aws "
            f"--account-id {self.account_id} --region {self.region} "
            f"--run-id {self.run_id} --yes"
        )

    def _say(self, text: str) -> None:
        with contextlib.suppress(OSError, ValueError):  # a closed terminal must not stop cleanup
            print(text, file=self._console, flush=True)

    # ---- capabilities -------------------------------------------------------------------------
    def restricted_caller(self, key: KeyRef) -> Any:
        """A Firehose client on a role of this run that has no KMS permissions at all."""
        if self._caller_client is None:
            self._provision()
            arn = self._run_role(
                "caller",
                caller_role_name(self.run_id),
                trust=caller_trust_policy(self.partition, self.account_id),
                policy=caller_policy(self.partition, self.region, self.account_id, self.run_id),
                description=f"firehose-conformance run {self.run_id}: a caller without KMS",
                wait=0.0,  # _assume waits out IAM's propagation itself
            )
            credentials = self._assume(arn)
            session = PinnedSession(
                aws_access_key_id=credentials["AccessKeyId"],
                aws_secret_access_key=credentials["SecretAccessKey"],
                aws_session_token=credentials["SessionToken"],
                region_name=self.region,
            )
            self._caller_client = make_client(
                session, "firehose", Config(retries={"total_max_attempts": 1}), self.endpoint_url
            )
        return self._caller_client

    def _assume(self, role_arn: str) -> dict[str, Any]:
        """AssumeRole, waiting out IAM propagation (AccessDenied at first, for a new role)."""
        sts = self.client("sts")
        deadline = time.monotonic() + ASSUME_ROLE_WAIT
        pause = 2.0
        while True:
            try:
                return sts.assume_role(RoleArn=role_arn, RoleSessionName=f"fsc-{self.run_id}")[
                    "Credentials"
                ]
            except ClientError as error:
                code = error.response.get("Error", {}).get("Code")
                if code != "AccessDenied" or time.monotonic() > deadline:
                    raise
            time.sleep(pause)
            pause = min(pause * 1.5, 15.0)

    def cloudtrail_events(self, event_names: list[str], resource: str) -> list[str]:
        """Event names CloudTrail's event history holds for the delivery stream ``resource``
        since this run started (history is on in every account; events show within ~15 min)."""
        trail = self.client("cloudtrail")
        since = datetime.fromtimestamp(self.started - 300, UTC)
        found: list[str] = []
        for event_name in event_names:
            params: dict[str, Any] = {
                "LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": event_name}],
                "StartTime": since,
                "MaxResults": 50,
            }
            for _ in range(20):
                page = trail.lookup_events(**params)
                for event in page.get("Events", []):
                    detail = json.loads(event.get("CloudTrailEvent") or "{}")
                    request = detail.get("requestParameters") or {}
                    if request.get("deliveryStreamName") == resource:
                        found.append(event_name)
                if not page.get("NextToken"):
                    break
                params["NextToken"] = page["NextToken"]
        return found


class _Interrupts:
    """SIGTERM ends a run as Ctrl-C does (KeyboardInterrupt), so pytest tears the scenario and
    the session down and everything is removed. While removing, the first SIGINT or SIGTERM is
    reported and the cleanup goes on; a second abandons it (``sweep`` finds the rest)."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self, say: Callable[[str], None]) -> None:
        self._say = say
        self._saved: dict[int, Any] = {}

    @staticmethod
    def _main_thread() -> bool:
        return threading.current_thread() is threading.main_thread()

    def install(self) -> None:
        if self._main_thread() and not self._saved:
            self._saved[signal.SIGTERM] = signal.signal(signal.SIGTERM, _raise_interrupt)

    def uninstall(self) -> None:
        if self._main_thread():
            for signum, handler in self._saved.items():
                signal.signal(signum, handler if handler is not None else signal.SIG_DFL)
        self._saved.clear()

    @contextmanager
    def shielded(self) -> Iterator[None]:
        if not self._main_thread():
            yield
            return
        received = 0

        def during_cleanup(signum: int, frame: Any) -> None:
            nonlocal received
            received += 1
            if received > 1:
                raise KeyboardInterrupt(f"{signal.Signals(signum).name} during cleanup")
            self._say(
                "aws target: removing what this run created; "
                "signal again to abandon (then run sweep)"
            )

        previous = {s: signal.signal(s, during_cleanup) for s in self.SIGNALS}
        try:
            yield
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler if handler is not None else signal.SIG_DFL)


def _raise_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


def _with_configured_region(options: dict[str, str]) -> tuple[dict[str, str], str]:
    """``options`` with the region boto3's configuration gives where none is given (AWS_REGION,
    AWS_DEFAULT_REGION, the profile's), and where the region came from."""
    if options.get("region"):
        return options, "--region"
    if options.get("endpoint_url"):  # the harness's own tests: only what they say
        return options, "--region"
    try:
        found = configured_region(profile_session(options.get("aws_profile")))
    except ValueError:
        return options, "--region"  # an unknown profile: said by _session, after the guards
    if found is None:
        return options, "--region"
    return {**options, "region": found.value}, found.source


def _refuse_configured_endpoints(profile: str | None) -> None:
    """ValueError while boto3's configuration sends a service of the run elsewhere than AWS."""
    try:
        session = profile_session(profile)
    except ValueError:
        return  # said by _session
    for service in (*SUITE_SERVICES, "iam", "cloudtrail"):
        found = configured_endpoint(session, service)
        if found is not None:
            raise ValueError(
                f"{found.source} is set ({found.value}): the aws target talks to AWS itself and "
                "never follows it; unset it (or set AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true), or "
                "run an emulator with --target endpoint"
            )


def _session(options: AwsOptions) -> PinnedSession:
    """The usual credential chain; with endpoint_url (tests) dummy credentials, always, so
    that real ones never leave for an emulator."""
    if options.testing:
        return dummy_session(options.region)
    try:
        return PinnedSession(profile_name=options.aws_profile, region_name=options.region)
    except ProfileNotFound as error:  # PinnedSession asks for the profile when it is made
        raise ValueError(str(error)) from None


@functools.cache
def _terminal() -> TextIO:
    """stderr as it is now, on its own descriptor (pytest redirects descriptor 2 later)."""
    try:
        return open(os.dup(sys.stderr.fileno()), "w", buffering=1, errors="replace")
    except (AttributeError, OSError, ValueError):
        return sys.stderr
