"""Where the spec and the steps are, as installed: found through ``importlib.resources``.

The repository keeps them at its top level (``features/``, ``steps/``); a wheel carries them
inside this package, as ``firehose_conformance.spec`` (the features, the catalog, the
ambiguities, the sources) and ``firehose_conformance.steps`` (pyproject.toml maps the one to the
other). An editable install maps the same package names to the repository's directories, so
either way the code asks for a package and gets the files that are really there.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

SPEC_PACKAGE = "firehose_conformance.spec"  # features/ in the repository
STEPS_PACKAGE = "firehose_conformance.steps"  # steps/ in the repository


def package_dir(package: str) -> Path:
    """The directory holding ``package``'s files (a package installed as plain files)."""
    found = files(package)
    if not isinstance(found, Path):  # e.g. imported from a zip: pytest needs real files
        raise RuntimeError(f"{package} is not installed as a directory of files ({found!r})")
    return found


def spec_nodeid(path: Path, nodeid: str) -> str:
    """A scenario's nodeid as ``firehose-conformance run`` names it, ``steps/test_spec.py::...``,
    wherever pytest's rootdir is (an emulator's pytest session puts it elsewhere); the results
    and the reports merged from them key scenarios by it."""
    try:
        relative = path.resolve().relative_to(package_dir(STEPS_PACKAGE).resolve().parent)
    except ValueError:
        return nodeid  # not a file of the spec's steps
    _, sep, rest = nodeid.partition("::")
    return "/".join(relative.parts) + sep + rest
