"""What the commands print: the rich consoles and the ingest summary table."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from alertlens.analysis.noise import evaluation as ev
from alertlens.analysis.noise.evaluation import WORLD_FAMILY
from alertlens.ingest.service import FileReport

console = Console(highlight=False)
if not console.is_terminal:  # logs and pipes: rich's 80 columns would fold every file name
    console.width = 120
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def ingest_table(reports: Sequence[FileReport]) -> Table:
    """Read / accepted / quarantined / deduplicated / skipped per file read (paths relative to
    what they share), a total row, one line per file that was not read with the reason, and a
    caption for the files the manifest already had."""
    table = Table(title="Ingest", show_lines=False)
    table.add_column("file", overflow="fold")
    table.add_column("kind", overflow="fold")
    for name in ("read", "accepted", "quarantined", "dedup", "skipped"):
        table.add_column(name, justify="right")
    new = [r for r in reports if not r.already_ingested]
    base = _common_parent([Path(r.path) for r in new])
    totals = [0, 0, 0, 0, 0]
    for r in new:
        name = str(Path(r.path).relative_to(base)) if base else r.path
        if r.not_ingested:
            continue  # listed one line each below the table (not_read_lines)
        counts = [r.read, r.accepted, r.quarantined, r.deduplicated, r.skipped]
        totals = [a + b for a, b in zip(totals, counts, strict=True)]
        table.add_row(escape(name), escape(r.kind), *map(str, counts))
    read = [r for r in new if not r.not_ingested]
    label = f"total ({len(read)} new files"
    label += f", {len(new) - len(read)} not read)" if len(new) > len(read) else ")"
    table.add_row(label, "", *map(str, totals), style="bold")
    already = len(reports) - len(new)
    if already:
        table.caption = f"{already} file(s) already ingested with the same settings: not read again"
    return table


def not_read_lines(reports: Sequence[FileReport]) -> list[str]:
    """One line per file that was listed but not read, with the reason."""
    return [
        escape(f"skipped {r.path}: {r.status}: {r.reason}") for r in reports if r.not_ingested
    ]


def _common_parent(paths: Sequence[Path]) -> Path | None:
    if not paths:
        return None
    parents = [p.parent for p in paths]
    common = parents[0]
    while not all(common == p or common in p.parents for p in parents):
        common = common.parent
    return common


#: The evaluation table's columns: result key -> heading.
COLUMNS: tuple[tuple[str, str], ...] = (
    (ev.ALERTS, "alerts"),
    (ev.MATCHED, "ingested"),
    (ev.SCORED_SHARE, "scored"),
    (ev.ALERT_PRECISION, "alert P"),
    (ev.ALERT_RECALL, "alert R"),
    (ev.ALERT_F1, "alert F1"),
    (ev.RULE_PRECISION, "rule P"),
    (ev.RULE_RECALL, "rule R"),
    (ev.DECIDED_SHARE, "rules decided"),
    (ev.FIX_AGREEMENT, "fix agrees"),
    (ev.NOISE_SHARE_ERROR, "noise share err (pts)"),
    (ev.PAGES_AFTER_ERROR, "pages/wk after err"),
    (ev.INCIDENTS_AFTER_ERROR, "incidents/wk after err"),
    (ev.SECONDS, "analysis s"),
)
#: The ablation table's columns.
ABLATION_COLUMNS: tuple[tuple[str, str], ...] = (
    ("met", "worlds meeting every target"),
    (ev.ALERT_F1, "alert F1"),
    (ev.RULE_PRECISION, "rule P"),
    (ev.RULE_RECALL, "rule R"),
    (ev.NOISE_SHARE_ERROR, "noise share |err| (pts)"),
    (ev.PAGES_AFTER_ERROR, "pages/wk after |err|"),
    (ev.KEYS_PER_RULE, "rule keys per rule"),
    (ev.DECIDED_SHARE, "rules decided"),
)


def results_table(rows: Sequence[dict[str, Any]]) -> Table:
    """The rich table of the evaluation rows."""
    table = Table(title="noise analysis vs ground truth")
    table.add_column("scenario")
    table.add_column("seed", justify="right")
    for _, title in COLUMNS:
        table.add_column(title, justify="right")
    table.add_column("targets")
    for row in rows:
        cells = [_cell(key, row.get(key)) for key, _ in COLUMNS]
        table.add_row(row["scenario"], str(row["seed"]), *cells, ev.verdict(row))
    return table


def results_markdown(rows: Sequence[dict[str, Any]]) -> str:
    """The evaluation rows as a markdown table (pooled rows in bold)."""
    titles = ["scenario", "seed", *(title for _, title in COLUMNS), "targets"]
    lines = ["| " + " | ".join(titles) + " |", "|" + "---|" * len(titles)]
    for row in rows:
        seed = f"**{row['seed']}**" if row["seed"] == ev.POOLED else str(row["seed"])
        cells = [_cell(key, row.get(key)) for key, _ in COLUMNS]
        lines.append("| " + " | ".join([row["scenario"], seed, *cells, ev.verdict(row)]) + " |")
    return "\n".join(lines) + "\n"


def ablation_table(rows: Sequence[dict[str, Any]]) -> Table:
    """The rich table of the ablation rows."""
    table = Table(title="ablation: each step turned off")
    table.add_column("variant")
    table.add_column("family")
    for _, title in ABLATION_COLUMNS:
        table.add_column(title, justify="right")
    for row in rows:
        table.add_row(row["variant"], row[WORLD_FAMILY], *_ablation_cells(row))
    return table


def ablation_markdown(rows: Sequence[dict[str, Any]]) -> str:
    """The ablation rows as a markdown table."""
    titles = ["variant", "family", *(title for _, title in ABLATION_COLUMNS)]
    lines = ["| " + " | ".join(titles) + " |", "|" + "---|" * len(titles)]
    for row in rows:
        cells = [row["variant"], row[WORLD_FAMILY], *_ablation_cells(row)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _ablation_cells(row: dict[str, Any]) -> list[str]:
    cells = [f"{row['met']}/{row['worlds']}"]
    for key, _ in ABLATION_COLUMNS[1:]:
        value = float(row[key])
        if key == ev.PAGES_AFTER_ERROR:
            cells.append(f"{100 * value:.0f}%")
        elif key == ev.NOISE_SHARE_ERROR:
            cells.append(f"{value:.1f}")
        elif key == ev.KEYS_PER_RULE:
            cells.append(f"{value:.2f}")
        elif key == ev.DECIDED_SHARE:
            cells.append(f"{100 * value:.0f}%")
        else:
            cells.append(f"{value:.3f}")
    return cells


def _cell(key: str, value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "–"
    if key == ev.ALERTS:
        return f"{int(value):,}"
    if key in (ev.NOISE_SHARE_ERROR, ev.SECONDS):
        return f"{value:+.1f}" if key == ev.NOISE_SHARE_ERROR else f"{value:.1f}"
    if key in (ev.PAGES_AFTER_ERROR, ev.INCIDENTS_AFTER_ERROR):
        return f"{100 * value:+.0f}%"
    if key in (ev.SCORED_SHARE, ev.DECIDED_SHARE, ev.MATCHED):
        return f"{100 * value:.0f}%"
    return f"{value:.3f}"
