"""The guide's scenarios (instructor's LiteLLM guide), declared through the public API.

A pack like any other: the harness loads it unless `builtin = false`; its reference cassettes
ship beside it (cassettes/), so the built-in suite replays from the installed package.
"""

from __future__ import annotations

from harness.packs.guide.models import User, UserProfile, UserWithAddresses
from harness.scenarios import scenario

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

scenario("sync", model=User, prompt=_SIMPLE_PROMPT, expected=_JASON, facts=_JASON_FACTS,
         description="create() with litellm.completion", twin="async")
scenario("async", model=User, prompt=_SIMPLE_PROMPT, expected=_JASON, facts=_JASON_FACTS,
         is_async=True, description="create() with litellm.acompletion", twin="sync")
scenario("nested", model=UserWithAddresses, prompt=_NESTED_PROMPT, expected=_NESTED,
         facts=_NESTED_FACTS, description="nested model with a list of addresses")
scenario("partial_sync", call="partial", model=UserProfile, prompt=_PROFILE_PROMPT,
         expected=_PROFILE, facts=_JASON_FACTS, description="create_partial() streaming",
         twin="partial_async")
scenario("partial_async", call="partial", model=UserProfile, prompt=_PROFILE_PROMPT,
         expected=_PROFILE, facts=_JASON_FACTS, is_async=True,
         description="create_partial() streaming, async", twin="partial_sync")
scenario("iterable_sync", call="iterable", model=User, prompt=_USERS_PROMPT, expected=_USERS,
         facts=_USERS, description="create_iterable() of three users", twin="iterable_async")
scenario("iterable_async", call="iterable", model=User, prompt=_USERS_PROMPT, expected=_USERS,
         facts=_USERS, is_async=True, description="create_iterable() of three users, async",
         twin="iterable_sync")
# Not a guide example: measures whether the provider streams the structured payload itself
# (the Full Streaming column): the exact request instructor builds for the mode, sent once
# plainly and once with stream=True straight through litellm.
scenario("raw_stream", call="raw_stream", model=User, prompt=_SIMPLE_PROMPT, expected=_JASON,
         facts=_JASON_FACTS, from_guide=False,
         description="instructor's request for the mode, re-sent raw with stream=True")
