"""What each scenario creates, and which of its KMS keys may be shared: read from its steps.

Every step definition that makes, uses or changes a resource declares it (``@declares(...)``,
beside its ``@given``/``@when``/``@then``); a scenario's demand is the sum over its steps as
pytest-bdd renders them (Background and Examples row included), each step matched to its
definition by pytest-bdd's own parsers. So the plan's counts and the pool's choices come from
the same place, and a new step that changes a key without saying so fails a test
(tests/harness/test_resource_plan.py), not a verdict.

A key a scenario only *uses* (SSE with it, a Kinesis stream encrypted with it, KMS calls that
read it, a grant the scenario makes and its teardown revokes) can be a pooled key: one per
(key spec, usage, slot) for the whole run. A key the scenario changes in a way its teardown
undoes (disables, schedules for deletion, re-policies, revokes grants on), or whose grants it
reads (which another scenario's streams would change), is *lent*: a pooled key no other scenario
holds meanwhile, restored after it (pool.py). A key it changes for good (deletes it or its
material), whose making is what it checks, or whose per-key quota it reads is its own, made and
removed by the scenario.
"""

from __future__ import annotations

import copy
import functools
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from firehose_conformance.cost_policy import Rule
from firehose_conformance.spec_facts import SYMMETRIC_KEY_SPEC

SYMMETRIC = (SYMMETRIC_KEY_SPEC, "ENCRYPT_DECRYPT")


class Kind(StrEnum):
    """A billable resource type a run creates."""

    KMS_KEY = "KMS keys"
    KMS_ALIAS = "KMS aliases"
    S3_BUCKET = "S3 buckets"
    DELIVERY_STREAM = "Firehose delivery streams"
    KINESIS_STREAM = "Kinesis data streams"
    IAM_ROLE = "IAM roles"


class KeyUse(StrEnum):
    """What a step does to the key of one of its arguments."""

    MAKE = "make"  # makes the key of that alias (symmetric, or of the step's spec and usage)
    MAKE_OWN = "make own"  # makes a key that is never pooled (its making is checked; imported)
    USE = "use"  # only uses it: a pooled key serves
    # Changes it in a way teardown undoes (disables, schedules deletion, re-policies, revokes
    # grants), or reads its grants: a key lent to the scenario alone, restored after it.
    LEND = "lend"
    OWN = "own"  # changes it for good (deletes it or its material), or its quota: its own key


@dataclass(frozen=True)
class Effects:
    """A step definition's declaration (see ``declares``)."""

    keys: Mapping[str, KeyUse] = field(default_factory=dict)
    spec: tuple[str, str] | None = None  # the argument names of a MAKE step's spec and usage
    creates: Callable[[Mapping[str, Any]], Mapping[Kind, int]] | None = None
    per_run: frozenset[Kind] = frozenset()  # made once per run when any scenario needs it
    # Keys the step makes for itself, only to use (spec, usage): pooled as slot 0 of their kind.
    anonymous_keys: tuple[tuple[str, str], ...] = ()

    def key_uses(self, args: Mapping[str, Any]) -> list[tuple[str, KeyUse]]:
        """(alias, use) for every key the step names (an AWS owned key names none)."""
        found = []
        for name, use in self.keys.items():
            for alias in _aliases(name, args):
                found.append((alias, use))
        return found


def _aliases(name: str, args: Mapping[str, Any]) -> list[str]:
    """The key aliases behind argument ``name``: ``"key"``, or an attribute ``"other.granted"``."""
    head, _, attr = name.partition(".")
    value = args.get(head)
    if attr:
        value = getattr(value, attr, None)
    elif value is not None and not isinstance(value, str):
        value = getattr(value, "alias", None)  # a KeyPhrase: None for an AWS owned key
    return [value] if isinstance(value, str) else []


EFFECTS_ATTR = "__fsc_effects__"


def declares(
    *,
    keys: Mapping[str, KeyUse] | None = None,
    spec: tuple[str, str] | None = None,
    creates: Mapping[Kind, int | str]
    | Callable[[Mapping[str, Any]], Mapping[Kind, int]]
    | None = None,
    per_run: Iterable[Kind] = (),
    anonymous_keys: tuple[tuple[str, str], ...] = (),
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare what a step definition makes, uses and changes.

    ``keys``: argument name -> what the step does to that key (``"other.granted"`` names an
    attribute of a parsed argument). ``creates``: resources made per run of the step, a number
    or the name of the argument that gives it, or a function of the arguments. Put it below the
    pytest-bdd decorators (it must see the function first).
    """
    if callable(creates):
        count = creates
    else:
        fixed = dict(creates or {})

        def count(args: Mapping[str, Any]) -> Mapping[Kind, int]:
            return {k: int(args[v]) if isinstance(v, str) else v for k, v in fixed.items()}

    effects = Effects(
        keys=dict(keys or {}),
        spec=spec,
        creates=count,
        per_run=frozenset(per_run),
        anonymous_keys=anonymous_keys,
    )

    def mark(func: Callable[..., Any]) -> Callable[..., Any]:
        setattr(func, EFFECTS_ATTR, effects)
        return func

    return mark


def effects_of(func: Callable[..., Any]) -> Effects | None:
    return getattr(func, EFFECTS_ATTR, None)


@dataclass(frozen=True, order=True)
class PoolKey:
    """A key of the run's pool: its spec and usage, and which one of that kind (a scenario that
    uses two symmetric keys gets two distinct ones). A ``lent`` key serves one scenario at a
    time and is restored after it; the others are shared."""

    spec: str
    usage: str
    slot: int = 0
    lent: bool = False

    def describe(self) -> str:
        kind = "symmetric" if (self.spec, self.usage) == SYMMETRIC else f"{self.spec}/{self.usage}"
        return f"{'lent ' if self.lent else ''}{kind} #{self.slot + 1}"


@dataclass
class ScenarioDemand:
    """What one scenario creates: per alias the pooled key it gets (None: its own), and counts
    of what it makes itself (pooled keys not included)."""

    keys: dict[str, PoolKey | None] = field(default_factory=dict)
    counts: Counter[Kind] = field(default_factory=Counter)
    per_run: set[Kind] = field(default_factory=set)
    unmatched: list[str] = field(default_factory=list)  # steps no definition matched
    anonymous: set[PoolKey] = field(default_factory=set)  # pooled keys no alias names

    def pooled(self, alias: str) -> PoolKey | None:
        return self.keys.get(alias)

    @property
    def pool_keys(self) -> set[PoolKey]:
        return {k for k in self.keys.values() if k is not None} | self.anonymous


# ---- matching a rendered step to its definition -------------------------------------------------
StepText = tuple[str, str]  # (type: given/when/then, text as rendered)


def definitions() -> tuple[Any, ...]:
    """Every step definition pytest-bdd knows in this process (the steps are imported by then)."""
    from pytest_bdd.steps import step_function_context_registry

    return tuple(step_function_context_registry.values())


def match(step_type: str, text: str) -> tuple[Callable[..., Any], dict[str, Any]] | None:
    """The step function pytest-bdd would call for this step, and its parsed arguments."""
    return _match(step_type, text, len(definitions()))


@functools.lru_cache(maxsize=4096)
def _match(
    step_type: str, text: str, known: int
) -> tuple[Callable[..., Any], dict[str, Any]] | None:
    """``match``, cached while the step definitions known stay the same (``known``)."""
    for context in definitions():
        if context.type not in (None, step_type):
            continue
        if context.parser.is_matching(text):
            return context.step_func, dict(context.parser.parse_arguments(text) or {})
    return None


def demand_of(steps: Iterable[StepText]) -> ScenarioDemand:
    """A scenario's demand, from its steps in order (Background first)."""
    demand = ScenarioDemand()
    made: dict[str, tuple[str, str] | None] = {}  # alias -> (spec, usage); None: its own always
    own: set[str] = set()
    lent: set[str] = set()
    anonymous: set[PoolKey] = set()
    for step_type, text in steps:
        found = match(step_type, text)
        if found is None:
            demand.unmatched.append(f"{step_type} {text}")
            continue
        func, args = found
        effects = effects_of(func)
        if effects is None:
            continue
        if effects.creates is not None:
            demand.counts.update(effects.creates(args))
        demand.per_run |= effects.per_run
        anonymous |= {PoolKey(spec, usage) for spec, usage in effects.anonymous_keys}
        for alias, use in effects.key_uses(args):
            if use is KeyUse.MAKE:
                made[alias] = (
                    (str(args[effects.spec[0]]), str(args[effects.spec[1]]))
                    if effects.spec
                    else SYMMETRIC
                )
            elif use is KeyUse.MAKE_OWN:
                made[alias] = None
            elif use is KeyUse.OWN:
                own.add(alias)
            elif use is KeyUse.LEND:
                lent.add(alias)
    slots: Counter[tuple[str, str, bool]] = Counter()
    for alias, kind in made.items():
        if kind is None or alias in own:
            demand.keys[alias] = None
            demand.counts[Kind.KMS_KEY] += 1
        else:
            lend = alias in lent
            demand.keys[alias] = PoolKey(kind[0], kind[1], slots[(*kind, lend)], lend)
            slots[(*kind, lend)] += 1
    demand.anonymous = anonymous
    return demand


@dataclass
class RunPlan:
    """What a run of the selected scenarios creates, as the plan states it."""

    scenarios: int = 0
    own: Counter[Kind] = field(default_factory=Counter)  # made and removed by scenarios
    # Made once, removed at the end: shared keys, and lent ones (slots: as many as one scenario
    # holds at once, which is what a serial run makes; concurrent scenarios may need more).
    pooled_keys: set[PoolKey] = field(default_factory=set)
    per_run: Counter[Kind] = field(default_factory=Counter)  # made once (IAM roles)
    unmatched: list[str] = field(default_factory=list)
    pooling: bool = True  # False: every key the scenario's own (a target without a pool)
    # What the target's cost policy left out of the selection, per rule (cost_policy.py).
    left_out: list[LeftOutPlan] = field(default_factory=list)
    # Per kind of lent key (spec, usage): how many each scenario borrowing one holds at once.
    lent_holds: dict[tuple[str, str], list[int]] = field(default_factory=dict)

    def add(self, demand: ScenarioDemand) -> None:
        self.scenarios += 1
        self.own.update(demand.counts)
        if self.pooling:
            self.pooled_keys |= demand.pool_keys
            held = Counter((k.spec, k.usage) for k in demand.pool_keys if k.lent)
            for kind, count in held.items():
                self.lent_holds.setdefault(kind, []).append(count)
        else:
            self.own[Kind.KMS_KEY] += len(demand.pool_keys)
        for kind in demand.per_run:
            self.per_run[kind] = 1
        self.unmatched += demand.unmatched

    def pool_keys(self) -> set[PoolKey]:
        return set(self.pooled_keys)

    def lent_at_most(self, in_flight: int) -> int:
        """Lent keys a run makes at most with ``in_flight`` scenarios running at once (run -n
        N): each borrows keys of its own, so per kind the holds of the ``in_flight`` scenarios
        that borrow the most, together. With one at a time: the plan's lent keys."""
        return sum(
            sum(sorted(holds, reverse=True)[: max(1, in_flight)])
            for holds in self.lent_holds.values()
        )

    def total(self, kind: Kind) -> int:
        pooled = len(self.pooled_keys) if kind is Kind.KMS_KEY else 0
        return self.own[kind] + pooled + self.per_run[kind]

    def totals(self) -> dict[str, int]:
        return {kind.value: self.total(kind) for kind in Kind}

    def leave_out(
        self, rule: Rule, scenarios: int, considered: int, demands: Iterable[ScenarioDemand]
    ) -> LeftOutPlan:
        """Record, beside this plan, the ``scenarios`` that ``rule`` left out of the
        ``considered`` it weighed, and what the plan would be had they run too (``demands``:
        those of them the target would run)."""
        with_them = copy.deepcopy(self)
        with_them.left_out = []
        for demand in demands:
            with_them.add(demand)
        found = LeftOutPlan(rule, scenarios, considered, with_them)
        self.left_out.append(found)
        return found


@dataclass
class LeftOutPlan:
    """Scenarios a target's cost policy left out: ``scenarios`` of the ``considered`` it
    weighed (key-spec rows: all of them, kept or not), and the plan had they run too."""

    rule: Rule
    scenarios: int
    considered: int
    with_them: RunPlan

    def adds(self, base: RunPlan, kind: Kind) -> int:
        return self.with_them.total(kind) - base.total(kind)


def scenario_steps(item: Any) -> list[StepText]:
    """The steps of a collected scenario as pytest-bdd renders them (its Examples row filled
    in, its Background first); none for a test that is no scenario."""
    from pytest_bdd.scenario import scenario_wrapper_template_registry

    function = getattr(item, "function", None)
    template = scenario_wrapper_template_registry.get(function) if function else None
    if template is None:
        return []
    callspec = getattr(item, "callspec", None)
    params = callspec.params.get("_pytest_bdd_example") if callspec else None
    return [(step.type, step.name) for step in template.render(params or {}).steps]


def scenario_demand(item: Any) -> ScenarioDemand:
    """The demand of a collected scenario (kept on the item: computed once)."""
    found = getattr(item, "_fsc_demand", None)
    if found is None:
        found = demand_of(scenario_steps(item))
        item._fsc_demand = found
    return found


def runs_on(target: Any, item: Any) -> bool:
    """Whether the target runs this selected scenario rather than skip it for a capability it
    lacks (the plugin's gating; what its cost policy leaves out is never selected)."""
    from firehose_conformance.capabilities import CAPABILITY_TAGS, Capability

    tags = {mark.name for mark in item.iter_markers()}
    return all(target.has(Capability(tag)) for tag in tags if tag in CAPABILITY_TAGS)


def plan_for(
    target: Any,
    items: Iterable[Any],
    left_out: Iterable[tuple[Any, Rule]] = (),
    considered: Mapping[str, int] | None = None,
) -> RunPlan:
    """The plan of the selected ``items`` the target runs, and beside it what its cost policy
    left out (``left_out``: (item, rule); ``considered``: rule name -> scenarios it weighed)
    with what running those too would add."""
    plan = RunPlan(pooling=target.pool is not None)
    for item in items:
        if runs_on(target, item):
            plan.add(scenario_demand(item))
    by_rule: dict[Rule, list[Any]] = {}
    for item, rule in left_out:
        by_rule.setdefault(rule, []).append(item)
    for rule, group in by_rule.items():
        demands = [scenario_demand(item) for item in group if runs_on(target, item)]
        weighed = (considered or {}).get(rule.name, len(group))
        plan.leave_out(rule, len(group), weighed, demands)
    return plan
