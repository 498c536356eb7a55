"""What a target leaves out of a run to keep its cost down, decided when the scenarios are
collected.

A cost choice, not a verdict. A scenario the target could run but does not by default (a day
of waiting, thousands of streams, one more KMS key for one more key-spec row) is deselected
with the rule that left it out; a requirement all of whose scenarios were left out is
``not_selected`` with that rule as its reason (results.py), never ``not_applicable``, which is
for a capability the target lacks. The plugin asks the target's class for its policy
(``Target.cost_policy(options)``) before any target is made, so collection reaches no account,
and every xdist worker decides the same way from the same items.

Key-spec sampling (``key_specs=family``): of the rows of one scenario outline whose ``spec``
column names an asymmetric or HMAC key spec of the snapshot's KeySpec enum, one row per key
family runs (spec_facts.key_spec_family): the family's representative pair where the outline
has it (the same pairs in every outline, so that they share pooled keys), else the family's
first row among those selected. SYMMETRIC_DEFAULT rows, and specs the enum does not know, always
run. ``key_specs=all`` runs every row.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from firehose_conformance.spec_facts import KEY_SPECS, key_spec_family

SPEC_COLUMN, USAGE_COLUMN = "spec", "usage"
# Per family, the (spec, usage) row kept where an outline has it: the pairs the Start, Create,
# KEY-09 and SSE-03 outlines share, so that one pooled key serves all of them.
REPRESENTATIVES: Mapping[str, tuple[str, str]] = {
    "RSA": ("RSA_2048", "ENCRYPT_DECRYPT"),
    "ECC": ("ECC_NIST_P256", "SIGN_VERIFY"),
    "ML_DSA": ("ML_DSA_65", "SIGN_VERIFY"),
    "ML_KEM": ("ML_KEM_768", "ENCAPSULATE_DECAPSULATE"),
    "HMAC": ("HMAC_256", "GENERATE_VERIFY_MAC"),
}


# The families of the snapshot's KeySpec enum, in its order: RSA, ECC, HMAC, SM2, ML_DSA, ML_KEM.
FAMILIES: tuple[str, ...] = tuple(
    dict.fromkeys(f for f in map(key_spec_family, KEY_SPECS) if f is not None)
)


class KeySpecs(StrEnum):
    """The ``key_specs`` target option."""

    FAMILY = "family"  # one row per key family of each key-spec outline
    ALL = "all"  # every row


def parse_key_specs(value: str) -> KeySpecs:
    """ValueError with one line for anything but ``family`` or ``all``."""
    try:
        return KeySpecs(value.strip().lower())
    except ValueError:
        known = " or ".join(k.value for k in KeySpecs)
        raise ValueError(f"key_specs must be {known}, got {value!r}") from None


@dataclass(frozen=True)
class Rule:
    """Why some scenarios are left out, and how to run them anyway."""

    name: str  # "@slow", "key_specs=family"
    reason: str  # "needs ~24 h on a real account"
    include: str  # "--target-option key_specs=all runs every row"; how to run them elsewhere


@dataclass(frozen=True)
class Candidate:
    """A collected scenario as the policy sees it."""

    outline: str  # which scenario (outline) it is a row of: its test's nodeid without the row
    tags: frozenset[str] = frozenset()
    row: Mapping[str, str] = field(default_factory=dict)  # its Examples row; {} for none
    # False: it needs a capability the target lacks, so it is not applicable there whatever
    # it costs; never left out (its verdict says why it cannot run).
    runnable: bool = True


@dataclass
class Decision:
    left_out: dict[int, Rule] = field(default_factory=dict)  # candidate index -> its rule
    considered: Counter[str] = field(default_factory=Counter)  # rule name -> rows it weighed


class CostPolicy:
    """Leaves nothing out: the reference, moto and endpoint targets, where time and keys cost
    nothing worth saving."""

    def rules(self) -> tuple[Rule, ...]:
        return ()

    def decide(self, candidates: Sequence[Candidate]) -> Decision:
        return Decision()


NO_POLICY = CostPolicy()


@dataclass(frozen=True)
class RealAccountPolicy(CostPolicy):
    """A real account's: scenarios of some tags left out (each with its rule), and key-spec
    outline rows sampled one per key family unless ``key_specs`` is ``all``."""

    tags: Mapping[str, Rule]  # tag -> the rule that leaves its scenarios out
    key_specs: KeySpecs = KeySpecs.FAMILY
    key_spec_rule: Rule = Rule(
        f"key_specs={KeySpecs.FAMILY.value}",
        f"one row per key family ({', '.join(FAMILIES)}) of each key-spec outline runs on a "
        "real account, since every row makes a KMS key",
        f"--target-option key_specs={KeySpecs.ALL.value} runs every row",
    )

    def rules(self) -> tuple[Rule, ...]:
        sampled = (self.key_spec_rule,) if self.key_specs is KeySpecs.FAMILY else ()
        return (*self.tags.values(), *sampled)

    def decide(self, candidates: Sequence[Candidate]) -> Decision:
        decision = Decision()
        families: dict[tuple[str, str], list[int]] = {}
        for index, candidate in enumerate(candidates):
            if not candidate.runnable:
                continue
            tagged = sorted(set(candidate.tags) & set(self.tags))
            if tagged:
                rule = self.tags[tagged[0]]
                decision.left_out[index] = rule
                decision.considered[rule.name] += 1
                continue
            family = key_spec_family(str(candidate.row.get(SPEC_COLUMN, "")))
            if family is not None:
                families.setdefault((candidate.outline, family), []).append(index)
        if self.key_specs is KeySpecs.ALL:
            return decision
        for (_, family), rows in families.items():
            kept = next(
                (i for i in rows if _pair(candidates[i]) == REPRESENTATIVES.get(family)), rows[0]
            )
            decision.considered[self.key_spec_rule.name] += len(rows)
            for index in rows:
                if index != kept:
                    decision.left_out[index] = self.key_spec_rule
        return decision


def _pair(candidate: Candidate) -> tuple[str, str]:
    return str(candidate.row.get(SPEC_COLUMN, "")), str(candidate.row.get(USAGE_COLUMN, ""))
