"""Running cells: the runner, and the scheduler of every target.

The session plans and schedules cells over workers, retries transient failures, keeps a
journal and shows progress; the same path serves replays, emulator recordings and live runs.
"""
