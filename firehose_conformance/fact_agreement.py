"""Whether a requirement's text agrees with a model fact it cites.

The rules (the catalog header states them too). "The text" is the requirement's sentence,
quote and observable together.

- ``pattern``: the pattern appears verbatim in the text.
- ``min`` / ``max``: the number appears as a whole number, in plain digits or with thousands
  separators ("1024" or "1,024").
- ``enum`` / ``required``: each value (each enum value, each required member name) appears as a
  whole word.
- ``errors``: each error shape name appears as a whole word; a trailing "Exception" may be left
  out ("ResourceNotFound" for ResourceNotFoundException).
- ``documentation``: at least one of the quote's fragments (the quote split at "…", each
  stripped) appears in the documentation text, HTML tags dropped, entities decoded, typographic
  apostrophes and quotes made plain, whitespace collapsed, and "Amazon Web Services_" read as
  "AWS_" (the model's documentation spells AWS_OWNED_CMK "Amazon Web Services_OWNED_CMK", an
  artefact of replacing "AWS" with the long name).
- ``type``, ``members``, ``input``, ``output``, ``shape``: existence only; no text to agree with.
"""

from __future__ import annotations

import html
import re

from firehose_conformance.model_facts import FactPath, FactValue

__all__ = ["disagreement", "doc_text", "quote_fragments"]

_BLOCK_TAG = re.compile(r"</?(?:p|li|ul|ol|note|important|br|dl|dt|dd|div|h\d)\b[^>]*>", re.I)
_ANY_TAG = re.compile(r"<[^>]+>")
_LONG_AWS = "Amazon Web Services_"
_PLAIN = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\xa0": " "})


def doc_text(documentation: str) -> str:
    """Model documentation (HTML) as plain, whitespace-normalised text."""
    text = _ANY_TAG.sub("", _BLOCK_TAG.sub(" ", documentation))
    return _normalise(html.unescape(text)).replace(_LONG_AWS, "AWS_")


def quote_fragments(quote: str) -> list[str]:
    """The quote's fragments: split at "…", stripped of spaces and ellipses, empty ones dropped."""
    fragments = (_normalise(part).strip(" .…") for part in quote.split("…"))
    return [fragment for fragment in fragments if fragment]


def disagreement(fact: FactPath, value: FactValue, text: str, quote: str) -> str | None:
    """Why ``text`` (sentence, quote, observable) disagrees with the fact's value; None if not."""
    prop = fact.prop
    if prop == "pattern":
        return None if str(value) in text else f"the pattern {value!r} is not in the text"
    if prop in ("min", "max"):
        return None if _has_number(text, int(value)) else f"{prop} {value} is not in the text"
    if prop in ("enum", "required"):
        missing = [item for item in value if not _has_word(text, item)]
        return f"{prop} value(s) not in the text: {', '.join(missing)}" if missing else None
    if prop == "errors":
        missing = [
            name
            for name in value
            if not (_has_word(text, name) or _has_word(text, name.removesuffix("Exception")))
        ]
        return f"error(s) not in the text: {', '.join(missing)}" if missing else None
    if prop == "documentation":
        fragments = quote_fragments(quote)
        if not fragments:
            return "a documentation fact needs a quote to agree with"
        documented = doc_text(str(value))
        if any(fragment in documented for fragment in fragments):
            return None
        return "no fragment of the quote is in the documentation"
    return None


def _normalise(text: str) -> str:
    return " ".join(text.translate(_PLAIN).split())


def _has_word(text: str, word: str) -> bool:
    return re.search(rf"(?<![\w]){re.escape(word)}(?![\w])", text) is not None


def _has_number(text: str, number: int) -> bool:
    forms = {str(number), f"{number:,}"}
    return any(re.search(rf"(?<![\d,.]){re.escape(form)}(?![\d,])", text) for form in forms)
