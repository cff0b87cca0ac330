"""The instructor modes the harness measures, by their CLI names."""

from __future__ import annotations

from dataclasses import dataclass

from instructor import Mode

from harness.errors import UnknownNameError


@dataclass(frozen=True)
class ModeSpec:
    """A harness mode: its CLI name and the instructor Mode it selects."""

    name: str
    mode: Mode
    description: str


# from_litellm accepts the OpenAI-family modes; more (TOOLS_STRICT, PARALLEL_TOOLS) can be
# registered here and listed in a provider's `modes` to be measured.
_REGISTRY: dict[str, ModeSpec] = {
    spec.name: spec
    for spec in (
        ModeSpec("tools", Mode.TOOLS, "forced function/tool call"),
        ModeSpec("json", Mode.JSON, "response_format json_object + schema in prompt"),
        ModeSpec("json_schema", Mode.JSON_SCHEMA, "response_format json_schema"),
        ModeSpec("md_json", Mode.MD_JSON, "schema in prompt, fenced JSON in the answer"),
        ModeSpec("tools_strict", Mode.TOOLS_STRICT, "strict tool call"),
        ModeSpec("parallel_tools", Mode.PARALLEL_TOOLS, "parallel tool calls"),
    )
}

DEFAULT_MODES: tuple[str, ...] = ("tools", "json", "json_schema", "md_json")


def get_mode(name: str) -> ModeSpec:
    """The registered mode called `name`, or an error listing the valid ones."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise UnknownNameError("mode", name, _REGISTRY) from None


def all_modes() -> list[str]:
    """Every registered mode name."""
    return list(_REGISTRY)
