"""What the fuzzing found: each finding's minimal case, the layer at fault, and what it scopes out.

Every entry is a shrunk counterexample made explicit: a target (provider, mode, call), a case
(model spec and answer) and the cuts, replayed deterministically by test_regressions.py as a
strict xfail that must fail with exactly the recorded exception and message (an upstream fix
makes it pass, which fails the run: delete the entry and its scope-out). The property tests
leave out of their strategies what a finding needs (`PARTIAL_AVOID`), so they keep looking
for new bugs instead of finding these again; the reason is the finding's.

Versions: instructor 1.17.0, litellm 1.110.2, pydantic 2.14, jiter 0.14 (the committed pair).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.fuzz.models import Avoid, Case, Choice, Float, Model, Str
from tests.fuzz.wires import Cuts, Target

# DEL and the C1 controls, U+007F-U+009F: legal unescaped in a JSON string (RFC 8259 escapes
# only U+0000-U+001F), so providers send them raw.
C1_CONTROLS = "".join(chr(c) for c in range(0x7F, 0xA0))

_CONTROL_CHARS = (
    "instructor 1.17 create_partial drops DEL and C1 control characters (U+007F-U+009F) from "
    "string values: partial.py's remove_control_chars() deletes [\\x00-\\x1F\\x7F-\\x9F] from "
    "every raw chunk before parsing. JSON escapes U+0000-U+001F, so deleting those raw only "
    "strips whitespace, but U+007F-U+009F travel unescaped inside strings: the last partial "
    "is silently not the object create() returns for the same answer ('\\x85' becomes ''), "
    "on every wire, streamed in pieces or whole. create and create_iterable keep them."
)
_STRICT_ENUM = (
    "instructor 1.17 create_partial raises ValidationError for any Enum field: once the root "
    "JSON object is complete, process_potential_object() validates the parsed *Python* dict "
    "with the call's strict=True (instructor's default), and strict Python validation wants "
    "an Enum member, not its string value (create validates the JSON text, where strict "
    "accepts the string). Literal fields pass; strict=False works around it."
)
_VANISHING_NUMBER = (
    "instructor 1.17 create_partial yields a number that then vanishes: it re-parses the "
    "accumulated text with jiter's partial mode after every chunk, which keeps a trailing "
    "number that is complete as it stands ('1' in '{\"x\": 1') but drops one that is not "
    "('1.' or '1e' or '1e+'), so a float field goes 1 -> None -> 1.5 and a list loses its "
    "last item and gets it back. OpenAI's own token boundaries ('1', '.', '5') trigger it."
)


@dataclass(frozen=True)
class Finding:
    """One finding: its minimal case and the failure it must show."""

    name: str
    layer: str  # instructor, litellm or pydantic
    exception: str  # the exception's type name (AssertionError: an invariant broken silently)
    message: str  # a fragment of its message
    reason: str
    target: Target
    case: Case
    cuts: Cuts = field(default_factory=Cuts)

    @property
    def id(self) -> str:
        """The regression test's id."""
        return f"{self.name}-{self.target}"


FINDINGS: tuple[Finding, ...] = (
    Finding("c1-controls-dropped", "instructor", "AssertionError",
            "$.s: expected '\\x85', got ''", _CONTROL_CHARS,
            Target("openai", "tools", "partial"),
            Case(Model("M0", (("s", Str()),)), {"s": "\x85"})),
    Finding("c1-controls-dropped", "instructor", "AssertionError",
            "$.s: '' then", _CONTROL_CHARS,
            Target("gemini", "tools", "partial"),
            Case(Model("M0", (("s", Str()),)), {"s": "\x85"})),
    Finding("del-dropped", "instructor", "AssertionError", "$.s: 'ab' then",
            _CONTROL_CHARS, Target("anthropic", "json_schema", "partial"),
            Case(Model("M0", (("s", Str()),)), {"s": "a\x7fb"})),
    Finding("enum-strict-python", "instructor", "ValidationError",
            "Input should be an instance of E0", _STRICT_ENUM,
            Target("openai", "tools", "partial"),
            Case(Model("M0", (("e", Choice(("a",), True, "E0")),)), {"e": "a"})),
    Finding("enum-strict-python", "instructor", "ValidationError",
            "Input should be an instance of E0", _STRICT_ENUM,
            Target("gemini", "json_schema", "partial"),
            Case(Model("M0", (("e", Choice(("a",), True, "E0")),)), {"e": "a"})),
    Finding("number-vanishes", "instructor", "AssertionError", "$.x: 1.0 then None",
            _VANISHING_NUMBER, Target("openai", "tools", "partial"),
            Case(Model("M0", (("x", Float()),)), {"x": 1.5})),
    Finding("number-vanishes", "instructor", "AssertionError", "$.x: 1.0 then None",
            _VANISHING_NUMBER, Target("anthropic", "tools", "partial"),
            Case(Model("M0", (("x", Float()),)), {"x": 1e16}), Cuts((7, 1, 1))),
)

# What the partial properties leave out, each because of a finding above.
PARTIAL_AVOID = Avoid(chars=C1_CONTROLS,  # c1-controls-dropped, del-dropped
                      enums=True,  # enum-strict-python
                      floats=True)  # number-vanishes (every float's text has '.' or 'e')
