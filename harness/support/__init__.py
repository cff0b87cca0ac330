"""The streaming-support matrix: levels (the rule), rows from results, litellm's declarations."""

from .levels import COLUMNS, RULES, Level, Verdict, decide_row, legend_lines
from .matrix import Row, build_rows, guide_table

__all__ = ["COLUMNS", "RULES", "Level", "Verdict", "decide_row", "legend_lines", "Row",
           "build_rows", "guide_table"]
