"""The fuzz suite's hypothesis profiles: "fuzz" by default, "deep" with --hypothesis-profile=deep.

Registered from tests/conftest.py, before hypothesis's pytest plugin reads the option. The fuzz
tests take "deep" when it is the active profile and "fuzz" otherwise, so that the rest of the
suite keeps hypothesis's own default profile.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings

FUZZ, DEEP = "fuzz", "deep"
_SLOW_IS_FINE = [HealthCheck.too_slow, HealthCheck.data_too_large]

# CI: a few examples per target, the same ones every run (derandomized, no example database;
# every provider × mode of a test meets the same generated cases), so the whole suite stays
# within its budget (about a minute on 2 cores, -n 2).
settings.register_profile(FUZZ, max_examples=6, derandomize=True, database=None,
                          deadline=None, suppress_health_check=_SLOW_IS_FINE,
                          print_blob=True)
# By hand, or nightly: many more examples, random ones, failures kept in .hypothesis/.
settings.register_profile(DEEP, max_examples=150, deadline=None,
                          suppress_health_check=_SLOW_IS_FINE, print_blob=True)


def fuzz_settings(scale: float = 1.0) -> settings:
    """The settings of a fuzz test: the active profile if it is "deep", else "fuzz";
    `scale` multiplies its examples (a cheaper call can afford more)."""
    name = DEEP if settings.get_current_profile_name() == DEEP else FUZZ
    base = settings.get_profile(name)
    return settings(base, max_examples=max(1, round(base.max_examples * scale)))
