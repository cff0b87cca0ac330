"""The streaming-support matrix: levels (the rule), rows from results, litellm's declarations."""

from harness.matrix.levels import Level, Verdict
from harness.matrix.rows import Row, build_rows, guide_table
from harness.matrix.rules import COLUMNS, RULES, decide_row, legend_lines

__all__ = [
           "COLUMNS",
           "RULES",
           "Level",
           "Row",
           "Verdict",
           "build_rows",
           "decide_row",
           "guide_table",
           "legend_lines",
]
