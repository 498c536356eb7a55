"""The inline stylesheet and script of the HTML report (no external assets: it works offline)."""

from __future__ import annotations

CSS = """
:root { --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg-soft: #f6f8fa;
  --passed: #1a7f37; --passed-bg: #dafbe1; --failed: #cf222e; --failed-bg: #ffebe9;
  --error: #9a6700; --error-bg: #fff8c5; --not_applicable: #59636e;
  --not_applicable-bg: #eaeef2; --untested: #0969da; --untested-bg: #ddf4ff; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--fg); font: 14px/1.5 system-ui, -apple-system, "Segoe UI",
  "DejaVu Sans", sans-serif; }
header, nav, main, #matrix, body > footer { max-width: 1180px; margin: 0 auto; padding: 0 20px; }
header { padding-top: 16px; }
h1 { font-size: 24px; margin: 8px 0 4px; }
h2 { font-size: 19px; margin: 28px 0 10px; padding-bottom: 4px;
  border-bottom: 1px solid var(--line); }
h3 { font-size: 16px; margin: 0 0 6px; }
.sub, .muted { color: var(--muted); }
table { border-collapse: collapse; }
th, td { border: 1px solid var(--line); padding: 3px 8px; text-align: left; vertical-align: top; }
thead th { background: var(--bg-soft); }
code, pre { font: 12.5px/1.45 ui-monospace, "DejaVu Sans Mono", monospace; }
nav { position: sticky; top: 0; z-index: 2; background: #fff; border-bottom: 1px solid var(--line);
  padding-top: 8px; padding-bottom: 8px; display: flex; flex-wrap: wrap; gap: 8px 24px;
  align-items: center; }
fieldset { border: 0; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 4px 12px; }
legend { float: left; font-weight: 600; margin-right: 8px; }
label { white-space: nowrap; cursor: pointer; }
#filter-status { margin: 0; color: var(--muted); }
button { font: inherit; padding: 1px 8px; cursor: pointer; }
.v { text-align: center; font-weight: 600; white-space: nowrap; }
.v-passed { color: var(--passed); background: var(--passed-bg); }
.v-failed { color: var(--failed); background: var(--failed-bg); }
.v-error { color: var(--error); background: var(--error-bg); }
.v-not_applicable { color: var(--not_applicable); background: var(--not_applicable-bg); }
.v-untested { color: var(--untested); background: var(--untested-bg); }
span.v { padding: 0 6px; border-radius: 4px; }
table.matrix { margin-bottom: 8px; }
table.matrix td.v { min-width: 84px; }
table.matrix a, .requirement h3 a { color: inherit; text-decoration: none; }
table.matrix a:hover, .requirement h3 a:hover { text-decoration: underline; }
tr.area-row th { background: var(--bg-soft); font-weight: 600; }
.legend span.v { margin-left: 10px; }
.requirement { border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px;
  margin: 12px 0; scroll-margin-top: 96px; }
.requirement:target { outline: 3px solid var(--untested); }
.badge { display: inline-block; font-size: 12px; font-weight: 600; padding: 0 6px;
  border-radius: 10px; border: 1px solid var(--line); background: var(--bg-soft);
  vertical-align: 2px; margin-left: 6px; }
.sentence { font-size: 15px; margin: 4px 0 8px; }
blockquote { margin: 6px 0 8px; padding: 4px 12px; border-left: 4px solid var(--line);
  color: #424a53; }
blockquote cite { display: block; font-style: normal; color: var(--muted); font-size: 12.5px; }
table.verdicts { width: 100%; margin: 6px 0; }
table.verdicts th { width: 130px; }
table.verdicts td.v { width: 150px; }
td.reason, li.problem { overflow-wrap: anywhere; }
ul.problems { margin: 4px 0; padding-left: 18px; }
ul.not-implemented { margin: 8px 0; padding-left: 18px; color: var(--error); }
p.stance { margin: 4px 0; padding: 2px 8px; border-left: 4px solid var(--error); }
.ambiguity { border: 1px solid var(--line); border-radius: 6px; padding: 8px 14px;
  margin: 10px 0; scroll-margin-top: 96px; }
.ambiguity:target { outline: 3px solid var(--untested); }
.ambiguity ul { margin: 4px 0; padding-left: 18px; }
details { margin: 6px 0; }
summary { cursor: pointer; color: var(--muted); }
pre.gherkin { background: var(--bg-soft); border: 1px solid var(--line); border-radius: 6px;
  padding: 8px 12px; overflow-x: auto; margin: 6px 0; }
.g-k { color: #8250df; font-weight: 600; } .g-t { color: #0550ae; } .g-c { color: #6e7781;
  font-style: italic; } .g-s { color: #0a3069; } .g-p { color: #953800; } .g-tb { color: #24292f; }
.off { display: none !important; }
body > footer { color: var(--muted); padding-top: 12px; padding-bottom: 24px; }
"""

JS = """
(function () {
  "use strict";
  function checked(name) {
    return Array.from(document.querySelectorAll('input[name="' + name + '"]:checked'))
      .map(function (input) { return input.value; });
  }
  function apply() {
    var targets = new Set(checked("target"));
    var verdicts = new Set(checked("verdict"));
    document.querySelectorAll("[data-target]").forEach(function (el) {
      el.classList.toggle("off", !targets.has(el.dataset.target));
    });
    var shown = 0, total = 0;
    var visibleAreas = new Set();
    document.querySelectorAll("tr.req-row").forEach(function (row) {
      var byTarget = JSON.parse(row.dataset.verdicts);
      var match = Object.keys(byTarget).some(function (target) {
        return targets.has(target) && verdicts.has(byTarget[target]);
      });
      total += 1;
      if (match) { shown += 1; visibleAreas.add(row.dataset.area); }
      row.classList.toggle("off", !match);
      var article = document.getElementById(row.dataset.req);
      if (article) { article.classList.toggle("off", !match); }
    });
    document.querySelectorAll("[data-area-block]").forEach(function (el) {
      el.classList.toggle("off", !visibleAreas.has(el.dataset.areaBlock));
    });
    document.getElementById("filter-status").textContent =
      "Showing " + shown + " of " + total + " requirements";
  }
  document.querySelectorAll("nav input").forEach(function (input) {
    input.addEventListener("change", apply);
  });
  var toggle = document.getElementById("toggle-scenarios");
  toggle.addEventListener("click", function () {
    var all = document.querySelectorAll("details.scenarios");
    var open = !Array.from(all).every(function (d) { return d.open; });
    all.forEach(function (d) { d.open = open; });
    toggle.textContent = open ? "Collapse all scenarios" : "Expand all scenarios";
  });
  apply();
})();
"""
