"""Cassettes: layout, serialization, record/replay configuration and stream statistics."""

# pytest-recording's record modes, accepted by every recording command and the pytest plugin
# (kept here, import-light: the plugin reads them at every pytest start-up).
RECORD_MODES = ("none", "once", "new_episodes", "all", "rewrite")
