"""The HTML report in a real browser: Debian's chromium, headless, driven through the DOM.

The page is made by the real command (`report --format html`) from a fresh reference run and a
"mutant" copy of it with failures and an error, so both verdict and target filters have work to
do. chromium is installed with `.ci/install-chromium` when missing; if that is impossible the
test fails and says why (it never skips). A screenshot goes to reports/report-screenshot.png.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from firehose_conformance.catalog import load_catalog
from firehose_conformance.cli import main
from firehose_conformance.results import Results

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
INSTALL = ROOT / ".ci" / "install-chromium"
SCREENSHOT = ROOT / "reports" / "report-screenshot.png"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def chromium() -> Path:
    if not CHROMIUM.exists():
        done = subprocess.run(
            ["bash", str(INSTALL)], capture_output=True, text=True, timeout=900, check=False
        )
        if done.returncode != 0 or not CHROMIUM.exists():
            tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-5:])
            pytest.fail(
                f"{CHROMIUM} is missing and {INSTALL.relative_to(ROOT)} could not install "
                f"Debian's chromium (it needs root and the Debian package registry):\n{tail}",
                pytrace=False,
            )
    return CHROMIUM


@pytest.fixture(scope="module")
def browser(chromium: Path) -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is missing: pip install -e '.[dev]'", pytrace=False)
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
    page: Any, reference_results: Results, hostile: str
) -> None:
    catalog = load_catalog()
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))
    assert page.problems == []
    assert page.title() == "Firehose SSE conformance: reference, mutant"
    assert page.text_content("#filter-status") == f"Showing {len(catalog)} of 75 requirements"
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
    assert page.text_content("#filter-status") == f"Showing {len(not_passed)} of 75 requirements"

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
