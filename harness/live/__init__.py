"""Live runs: targets, record modes, retries, concurrency, the journal and progress."""
