"""The HTML report in a real browser: Debian's chromium, headless, driven through the DOM.

The page is made by the real command (`report --format html`) from a fresh reference run and a
"mutant" copy of it with failures and an error, so both verdict and target filters have work to
do. The test never installs anything: CI installs chromium first (`.ci/run` calls
`.ci/install-chromium`). Without chromium (or playwright) the tests skip and say why, except
under `CI=true`, where they fail instead, so CI cannot go green without the browser. The
screenshot goes to the test's own temporary directory, never to the user's reports/.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, NoReturn

import pytest

from firehose_conformance.catalog import load_catalog
from firehose_conformance.cli import main
from firehose_conformance.results import Results

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
INSTALL = ROOT / ".ci" / "install-chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def in_ci(environ: Mapping[str, str] = os.environ) -> bool:
    return environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def unavailable(reason: str, environ: Mapping[str, str] = os.environ) -> NoReturn:
    """Skip with the reason; under CI=true fail with it (CI must have installed the browser)."""
    if in_ci(environ):
        pytest.fail(f"{reason} (CI=true: the browser test must run here)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def chromium() -> Path:
    if not CHROMIUM.exists():
        unavailable(f"{CHROMIUM} is missing: install it with {INSTALL.relative_to(ROOT)} (root)")
    return CHROMIUM


@pytest.fixture(scope="module")
def browser(chromium: Path) -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("playwright is missing: pip install -c constraints.txt -e '.[dev]'")
    with sync_playwright() as playwright:
        # executable_path: Debian's chromium, never a browser that playwright downloads.
        launched = playwright.chromium.launch(executable_path=str(chromium), args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def report_page(
    tmp_path_factory: pytest.TempPathFactory,
    reference_results: Results,
    mutant_results: Results,
    write_file,
) -> Path:
    directory = tmp_path_factory.mktemp("html-report")
    files = [
        str(write_file(reference_results, directory / "results-reference.json")),
        str(write_file(mutant_results, directory / "results-mutant.json")),
    ]
    assert main(["report", *files, "--format", "html", "--out", str(directory)]) == 0
    return directory / "report.html"


@pytest.fixture
def page(browser: Any, report_page: Path) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    opened = context.new_page()
    opened.problems = []  # console errors, page errors, requests that leave the file
    opened.on("pageerror", lambda error: opened.problems.append(f"page error: {error}"))
    opened.on(
        "console",
        lambda m: opened.problems.append(f"console: {m.text}") if m.type == "error" else None,
    )
    opened.on(
        "request",
        lambda r: None if r.url.startswith("file://") else opened.problems.append(r.url),
    )
    opened.goto(report_page.as_uri())
    yield opened
    context.close()


def _visible_requirements(page: Any) -> list[str]:
    """IDs of the matrix rows shown, checked against the requirement sections shown."""
    rows, articles = page.evaluate(
        """() => {
          const shown = (el) => el.getClientRects().length > 0;
          return [
            [...document.querySelectorAll("tr.req-row")].filter(shown).map(r => r.dataset.req),
            [...document.querySelectorAll("article.requirement")].filter(shown).map(a => a.id),
          ];
        }"""
    )
    assert rows == articles
    return rows


def test_the_matrix_and_every_requirement_render(
    page: Any, reference_results: Results, hostile: str, tmp_path: Path
) -> None:
    catalog = load_catalog()
    page.screenshot(path=str(tmp_path / "report-screenshot.png"))
    assert page.problems == []
    assert page.title() == "Firehose SSE conformance: reference, mutant"
    assert (
        page.text_content("#filter-status")
        == f"Showing {len(catalog)} of {len(catalog)} requirements"
    )
    assert _visible_requirements(page) == list(catalog)
    found = page.evaluate(
        """(ids) => ids.map((id) => {
          const article = document.getElementById(id);
          return {
            sentence: article.querySelector(".sentence").textContent,
            targets: [...article.querySelectorAll("table.verdicts th")].map(th => th.textContent),
            gherkin: article.querySelectorAll("pre.gherkin").length,
            height: article.getBoundingClientRect().height,
          };
        })""",
        list(catalog),
    )
    for (rid, requirement), item in zip(catalog.items(), found, strict=True):
        assert item["sentence"] == requirement.sentence, rid
        assert item["targets"] == ["reference", "mutant"], rid
        assert item["gherkin"] >= 1 and item["height"] > 50, rid
    cell = page.locator('tr.req-row[data-req="SSE-02"] td[data-target="mutant"]')
    assert cell.text_content() == "✘" and "v-failed" in cell.get_attribute("class")
    # A reason full of markup is shown as text, never run or parsed.
    assert page.evaluate("() => window.pwned") is None
    assert page.locator("b.injected").count() == 0
    assert hostile in page.locator("#SSE-02 table.verdicts").inner_text()


def test_filters_by_verdict_and_by_target(
    page: Any, reference_results: Results, mutant_results: Results
) -> None:
    catalog = load_catalog()
    reference = {r.id: r.verdict for r in reference_results.requirements}
    mutant = {r.id: r.verdict for r in mutant_results.requirements}
    page.uncheck('input[name="verdict"][value="passed"]')
    not_passed = [rid for rid in catalog if {reference[rid], mutant[rid]} != {"passed"}]
    assert "SSE-02" in not_passed and "API-06" in not_passed
    assert _visible_requirements(page) == not_passed
    assert (
        page.text_content("#filter-status")
        == f"Showing {len(not_passed)} of {len(catalog)} requirements"
    )

    page.uncheck('input[name="target"][value="mutant"]')
    assert _visible_requirements(page) == [rid for rid in catalog if reference[rid] != "passed"]
    assert not page.locator('table.matrix th[data-target="mutant"]').is_visible()
    assert page.locator('table.matrix th[data-target="reference"]').is_visible()

    page.check('input[name="target"][value="mutant"]')
    for verdict in ("not_applicable", "error", "untested"):
        page.uncheck(f'input[name="verdict"][value="{verdict}"]')
    failed = [rid for rid in catalog if mutant[rid] == "failed"]
    assert "SSE-02" in failed and "API-06" not in failed
    assert _visible_requirements(page) == failed
    assert not page.locator("#area-SRC").is_visible()
    assert page.locator("#area-SSE").is_visible()

    for verdict in ("passed", "not_applicable", "error", "untested"):
        page.check(f'input[name="verdict"][value="{verdict}"]')
    assert _visible_requirements(page) == list(catalog)


def test_an_anchor_points_at_one_requirement(page: Any, report_page: Path) -> None:
    page.goto(report_page.as_uri() + "#SSE-03")
    top = page.evaluate(
        """() => {
          const target = document.querySelector(":target");
          return target && target.id === "SSE-03" ? target.getBoundingClientRect().top : null;
        }"""
    )
    assert top is not None and 0 <= top < 300


def test_scenarios_expand_to_their_gherkin(page: Any) -> None:
    gherkin = page.locator("#SSE-02 pre.gherkin").first
    assert not gherkin.is_visible()
    page.click("#toggle-scenarios")
    assert gherkin.is_visible()
    assert "Scenario" in gherkin.inner_text() and "@SSE-02" in gherkin.inner_text()


def test_a_missing_browser_skips_locally_and_fails_in_ci() -> None:
    """The policy itself, without the browser: never an install, a skip or (in CI) a failure."""
    with pytest.raises(pytest.skip.Exception, match="chromium is missing"):
        unavailable("chromium is missing", {})
    with pytest.raises(pytest.fail.Exception, match=r"chromium is missing \(CI=true"):
        unavailable("chromium is missing", {"CI": "true"})
    assert not in_ci({"CI": "false"}) and in_ci({"CI": "1"})


def test_no_test_installs_system_packages() -> None:
    package_manager = "apt" + "-get"
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "tests").rglob("*.py")
        if package_manager in path.read_text(encoding="utf-8")
    ]
    assert offenders == []
