"""Running cells: the runner, and the scheduler of every target (session, workers, retries, journal, progress)."""
