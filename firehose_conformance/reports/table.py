"""The terminal matrix: requirement x target, one verdict symbol per cell, with a legend; in
colour where the caller says so (outputs.colour_wanted)."""

from __future__ import annotations

from tabulate import SEPARATING_LINE, tabulate

from firehose_conformance.reports.merge import Merged
from firehose_conformance.reports.symbols import legend_line, paint, shown, symbol


def render_table(merged: Merged, *, ascii: bool = False, colour: bool = False) -> str:
    rows: list[object] = []
    for index, area in enumerate(merged.areas()):
        if index:
            rows.append(SEPARATING_LINE)
        for row in area.rows:
            cells = [
                paint(symbol(verdict, ascii=ascii), verdict, colour=colour)
                for verdict in (row.cells[label].verdict for label in merged.labels)
            ]
            rows.append([row.id, row.level, *cells])
    table = tabulate(
        rows,
        headers=["requirement", "level", *merged.labels],
        tablefmt="simple",
        colalign=("left", "left", *["center"] * len(merged.labels)),
    )
    legend = legend_line(ascii=ascii, verdicts=merged.words(), colour=colour)
    return "\n".join([table, "", legend, *summary_lines(merged, ascii=ascii)])


def summary_lines(merged: Merged, *, ascii: bool = False) -> list[str]:
    """Per target: requirements by verdict, e.g. ``moto: 10 ✔  46 ✘  2 !  17 –  0 ?``."""
    width = max(len(label) for label in merged.labels)
    lines = []
    for run in merged.runs:
        counts = {v: 0 for v in shown(merged.words())}
        for row in merged.rows:
            verdict = row.cells[run.label].verdict
            counts[verdict] = counts.get(verdict, 0) + 1
        text = "  ".join(f"{n:>2} {symbol(v, ascii=ascii)}" for v, n in counts.items())
        blocking = len(run.results.blocking_failures)
        lines.append(
            f"{run.label:<{width}}  {text}   "
            f"({blocking} mandatory requirement(s) failed or errored)"
        )
    for run in merged.runs:  # said once per operation, not once per scenario
        for operation, blocked in run.not_implemented().items():
            lines.append(
                f"{run.label:<{width}}  {operation} not implemented: {len(blocked)} "
                f"requirement(s) blocked"
            )
    return lines
