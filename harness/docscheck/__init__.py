"""`conformance docs-check`: run a markdown page's Python blocks against the local emulators.

`blocks` reads the page's fenced code blocks, `classify` decides what is skipped before a
block runs (and why), `sandbox` is the run's world (the emulators behind every litellm model
name, no outside network, a scratch folder), `execute` runs one block, `check` runs the page in
order in one shared namespace, and `report` renders and writes the results.
"""
