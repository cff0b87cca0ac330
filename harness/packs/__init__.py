"""Scenario packs: modules that declare scenarios (the guide's is built in)."""
