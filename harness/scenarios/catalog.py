"""The scenarios, defined once: add a scenario here and every provider and mode runs it."""

from __future__ import annotations

from harness.scenarios.base import Scenario
from harness.scenarios.models import User, UserProfile, UserWithAddresses

_JASON = {"name": "Jason", "age": 25}
_NESTED = {
    "name": "Jason",
    "age": 25,
    "addresses": [
        {"street": "123 Main St", "city": "New York", "country": "USA"},
        {"street": "456 Beach Rd", "city": "Miami", "country": "USA"},
    ],
}
# Long enough that a streaming provider delivers it over several chunks.
_PROFILE = {
    "name": "Jason",
    "age": 25,
    "bio": (
        "Jason is a 25-year-old software engineer from Portland who loves hiking, "
        "open-source tooling and brewing his own coffee."
    ),
}
_USERS = [
    {"name": "Jason", "age": 25},
    {"name": "Sarah", "age": 30},
    {"name": "Mike", "age": 28},
]

_JASON_FACTS = {"name": "Jason", "age": 25}
_NESTED_FACTS = {"name": "Jason", "age": 25, "addresses": [
    {"street": "123 Main St", "city": "New York"}, {"street": "456 Beach Rd", "city": "Miami"}]}

_SIMPLE_PROMPT = "Extract: Jason is 25 years old"
_NESTED_PROMPT = (
    "Extract: Jason is 25 years old. He lives at 123 Main St, New York, USA "
    "and has a summer house at 456 Beach Rd, Miami, USA"
)
_PROFILE_PROMPT = "Create a user profile for Jason, age 25"
_USERS_PROMPT = (
    "Extract users:\n1. Jason is 25 years old\n2. Sarah is 30 years old\n"
    "3. Mike is 28 years old"
)

SCENARIOS: tuple[Scenario, ...] = (
    Scenario("sync", "create", False, User, _SIMPLE_PROMPT, _JASON,
             "create() with litellm.completion", twin="async", facts=_JASON_FACTS),
    Scenario("async", "create", True, User, _SIMPLE_PROMPT, _JASON,
             "create() with litellm.acompletion", twin="sync", facts=_JASON_FACTS),
    Scenario("nested", "create", False, UserWithAddresses, _NESTED_PROMPT, _NESTED,
             "nested model with a list of addresses", facts=_NESTED_FACTS),
    Scenario("partial_sync", "partial", False, UserProfile, _PROFILE_PROMPT, _PROFILE,
             "create_partial() streaming", twin="partial_async", facts=_JASON_FACTS),
    Scenario("partial_async", "partial", True, UserProfile, _PROFILE_PROMPT, _PROFILE,
             "create_partial() streaming, async", twin="partial_sync", facts=_JASON_FACTS),
    Scenario("iterable_sync", "iterable", False, User, _USERS_PROMPT, _USERS,
             "create_iterable() of three users", twin="iterable_async", facts=_USERS),
    Scenario("iterable_async", "iterable", True, User, _USERS_PROMPT, _USERS,
             "create_iterable() of three users, async", twin="iterable_sync", facts=_USERS),
    # Not a guide example: measures whether the provider streams the structured payload
    # itself (the Full Streaming column): the exact request instructor builds for the mode,
    # sent once plainly and once with stream=True straight through litellm.
    Scenario("raw_stream", "raw_stream", False, User, _SIMPLE_PROMPT, _JASON,
             "instructor's request for the mode, re-sent raw with stream=True",
             from_guide=False, facts=_JASON_FACTS),
)
