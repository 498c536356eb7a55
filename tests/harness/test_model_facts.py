"""Fact paths (firehose_conformance.model_facts) and the text-agreement rules (fact_agreement)."""

from __future__ import annotations

import pytest

from firehose_conformance.fact_agreement import disagreement, doc_text, quote_fragments
from firehose_conformance.model_facts import FactError, FactPath, parse_fact_path, resolve

MODEL = {
    "operations": {
        "StartThing": {
            "input": {"shape": "StartThingInput"},
            "errors": [{"shape": "ResourceNotFoundException"}, {"shape": "LimitExceeded"}],
            "documentation": "<p>This operation is <i>asynchronous</i>.</p><p>It returns.</p>",
        },
    },
    "shapes": {
        "StartThingInput": {
            "type": "structure",
            "required": ["Name"],
            "members": {
                "Name": {"shape": "Name", "documentation": "<p>The name.</p>"},
                "Mode": {"shape": "Mode"},
            },
        },
        "Empty": {"type": "structure", "members": {}},
        "Name": {"type": "string", "min": 1, "max": 1024, "pattern": "[a-z]+"},
        "Mode": {"type": "string", "enum": ["ON", "ON_HOLD"]},
    },
}


def test_a_path_round_trips() -> None:
    path = parse_fact_path("firehose:StartThingInput.Name.pattern")
    assert path == FactPath("firehose", "StartThingInput", "Name", "pattern")
    assert str(path) == "firehose:StartThingInput.Name.pattern"
    assert parse_fact_path("kms:StartThing.errors").member is None


@pytest.mark.parametrize(
    "text",
    ["StartThing.errors", "firehose:StartThing", "firehose:A.B.C.pattern", "firehose:X.colour",
     "firehose:X.shape", "Firehose:X.enum", "firehose:X.Y.errors"],
)  # fmt: skip
def test_malformed_paths_are_refused(text: str) -> None:
    with pytest.raises(FactError):
        parse_fact_path(text)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("svc:StartThing.errors", ("ResourceNotFoundException", "LimitExceeded")),
        ("svc:StartThing.input", "StartThingInput"),
        ("svc:StartThingInput.required", ("Name",)),
        ("svc:StartThingInput.members", ("Name", "Mode")),
        ("svc:Empty.required", ()),
        ("svc:Empty.members", ()),
        ("svc:StartThingInput.Name.pattern", "[a-z]+"),
        ("svc:StartThingInput.Name.max", 1024),
        ("svc:StartThingInput.Name.shape", "Name"),
        ("svc:StartThingInput.Name.documentation", "<p>The name.</p>"),
        ("svc:StartThingInput.Mode.enum", ("ON", "ON_HOLD")),
        ("svc:Mode.type", "string"),
    ],
)
def test_resolve(path: str, value: object) -> None:
    assert resolve(path, MODEL) == value


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        ("svc:StopThing.errors", "no operation StopThing"),
        ("svc:Nothing.pattern", "no operation or shape Nothing"),
        ("svc:StartThingInput.Size.pattern", "has no member Size"),
        ("svc:StartThingInput.Mode.documentation", "gives no documentation"),
        ("svc:Mode.pattern", "gives no pattern"),
        ("svc:Mode.required", "not a structure"),
        ("svc:StartThing.output", "gives no output"),
    ],
)
def test_unresolvable_facts_say_why(path: str, problem: str) -> None:
    with pytest.raises(FactError, match=problem):
        resolve(path, MODEL)


def test_doc_text_drops_markup_and_reads_the_long_aws_name() -> None:
    html = (
        "<p>The default is <code>Amazon Web Services_OWNED_CMK</code>.</p><p>It&apos;s\n set.</p>"
    )
    assert doc_text(html) == "The default is AWS_OWNED_CMK. It's set."


def test_quote_fragments_split_at_ellipses() -> None:
    assert quote_fragments("…first part. … second part…") == ["first part", "second part"]
    assert quote_fragments("") == []


def _disagree(path: str, text: str, quote: str = "") -> str | None:
    fact = parse_fact_path(path)
    return disagreement(fact, resolve(fact, MODEL), text, quote)


def test_pattern_must_appear_verbatim() -> None:
    assert _disagree("svc:Name.pattern", "matches [a-z]+ only") is None
    assert _disagree("svc:Name.pattern", "matches [a-z]* only")


def test_numbers_match_whole_with_or_without_separators() -> None:
    assert _disagree("svc:Name.max", "at most 1,024 characters") is None
    assert _disagree("svc:Name.max", "at most 1024 characters") is None
    assert _disagree("svc:Name.max", "at most 10245 characters")
    assert _disagree("svc:Name.min", "1–1024 characters") is None


def test_enum_values_must_each_appear_as_whole_words() -> None:
    assert _disagree("svc:Mode.enum", "ON or ON_HOLD") is None
    problem = _disagree("svc:Mode.enum", "ON_HOLD only")
    assert problem == "enum value(s) not in the text: ON"


def test_errors_may_drop_the_exception_suffix() -> None:
    assert _disagree("svc:StartThing.errors", "ResourceNotFound, LimitExceeded") is None
    assert _disagree("svc:StartThing.errors", "ResourceNotFoundException, LimitExceeded") is None
    assert "LimitExceeded" in (_disagree("svc:StartThing.errors", "ResourceNotFound") or "")


def test_documentation_needs_one_fragment_of_the_quote() -> None:
    doc = "svc:StartThing.documentation"
    assert _disagree(doc, "", "nowhere … This operation is asynchronous. It returns") is None
    assert _disagree(doc, "", "This operation is synchronous")
    assert _disagree(doc, "no quote at all") == "a documentation fact needs a quote to agree with"


def test_existence_only_properties_have_nothing_to_agree_with() -> None:
    assert _disagree("svc:StartThingInput.members", "") is None
    assert _disagree("svc:StartThing.input", "") is None
