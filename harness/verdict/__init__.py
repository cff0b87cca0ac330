"""Deciding a cell's verdict: outcome, layer at fault and notes, from what the cell observed."""
