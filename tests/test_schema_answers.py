"""What the emulated model answers: the harness's expected answer, else a minimal instance
generated from the request's schema (hypothesis-jsonschema), never prose for a schema."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import BaseModel

from harness.cells import Cell
from harness.emulators import answers, knowledge, openai_chat, sampler
from harness.emulators.schemas import SchemaUnservable, normalise, order_like, problems
from harness.emulators.server import EmulatorHost
from harness.packs.guide.models import UserWithAddresses
from harness.run import runner as runner_module
from harness.run.runner import Runner, RunSettings
from harness.scenarios import get_scenario


class Node(BaseModel):
    value: int
    children: list[Node] = []


class Tree(BaseModel):
    value: int
    children: list[Tree]  # required: the recursion's finite case is the empty list


class Chain(BaseModel):
    label: str
    next: Chain  # required at every level: no finite instance


@pytest.mark.parametrize("model", [UserWithAddresses, Node], ids=lambda m: m.__name__)
def test_instances_are_minimal_valid_and_the_same_every_time(model: type[BaseModel]) -> None:
    schema = model.model_json_schema()
    first = sampler.instance_for(schema)
    assert problems(first, schema) == [] and sampler.instance_for(schema) == first
    model.model_validate(first)


def test_a_recursion_is_served_by_its_finite_case() -> None:
    assert sampler.instance_for(Node.model_json_schema()) == {"value": 0}
    tree = Tree.model_json_schema()
    assert knowledge.fit_to_schema(sampler.instance_for(tree), tree) == {"value": 0,
                                                                         "children": []}


@pytest.mark.parametrize("schema,says", [
    (Chain.model_json_schema(), "recursion required at every level"),
    ({"type": "object", "properties": {"d": {"type": "string", "format": "duration"}},
      "required": ["d"]}, "string format 'duration'"),
    ({"$ref": "https://example.com/schema.json"}, "only local references"),
    ({"type": "integer", "minimum": 5, "maximum": 1}, "no instance"),
])
def test_what_cannot_be_served_is_said_with_its_reason(schema: dict[str, Any], says: str) -> None:
    with pytest.raises(SchemaUnservable, match=says):
        sampler.instance_for(schema)


def test_googles_dialect_is_read_as_json_schema() -> None:
    google = {"type": "OBJECT", "properties": {
        "status": {"type": "STRING", "format": "enum", "enum": ["a", "b"]},
        "note": {"type": "STRING", "nullable": True},
        "tags": {"type": "ARRAY", "items": {"type": "STRING"}, "min_items": 1}},
        "property_ordering": ["status", "note", "tags"], "required": ["status", "tags"]}
    plain = normalise(google)
    assert plain["properties"]["note"]["type"] == ["string", "null"]
    assert plain["properties"]["tags"]["minItems"] == 1 and "format" not in plain[
        "properties"]["status"]
    instance = sampler.instance_for(google)
    assert problems(instance, google) == [] and len(instance["tags"]) == 1


def test_bounds_a_description_states_are_kept() -> None:
    # The anthropic SDK moves bounds the API does not take into the description.
    schema = {"type": "integer", "description": "How many\n\n{maximum: 99, minimum: 3}"}
    assert sampler.instance_for(schema) == 3 and problems(0, schema)


def test_keys_follow_the_schemas_order_at_every_level() -> None:
    schema = UserWithAddresses.model_json_schema()
    scrambled = {"addresses": [{"country": "X", "city": "Y", "street": "Z"}], "age": 1,
                 "name": "N"}
    ordered = order_like(scrambled, schema)
    assert list(ordered) == ["name", "age", "addresses"]
    assert list(ordered["addresses"][0]) == ["street", "city", "country"]


def test_the_expected_answer_first_then_the_builtin_prompt_then_the_schema() -> None:
    user = get_scenario("sync")
    schema = user.response_model.model_json_schema()
    assert knowledge.answer_for([user.prompt], schema) == user.expected  # built-in prompt
    assert knowledge.answer_for(["unknown"], schema) == {"name": "", "age": 0}
    assert knowledge.answer_for(["unknown"], None) is None  # no schema: prose
    with answers.serving(answers.Expected({"name": "Ada", "age": 36})):
        assert knowledge.answer_for([user.prompt], schema) == {"name": "Ada", "age": 36}
    with answers.serving(answers.Expected({"wrong": True})):  # not valid: the schema decides
        assert knowledge.answer_for([user.prompt], schema) == {"name": "", "age": 0}


def test_expected_answers_are_kept_apart_per_emulator_and_cleared() -> None:
    host = EmulatorHost()
    try:
        roots = {n: host.url(n, lambda: openai_chat.make_app(openai_chat.OPENAI))
                 for n in ("a", "b")}
        body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "?"}],
                "response_format": {"type": "json_schema", "json_schema": {
                    "name": "N", "schema": {"type": "object", "properties": {
                        "n": {"type": "integer"}}, "required": ["n"]}}}}

        def answer(name: str) -> str:
            reply = httpx.post(f"{roots[name]}/v1/chat/completions", json=body,
                               headers={"Authorization": "Bearer k"}, timeout=10)
            return str(reply.json()["choices"][0]["message"]["content"])

        with pytest.raises(RuntimeError), host.expecting("a", {"n": 7}):
            assert (answer("a"), answer("b")) == ('{"n":7}', '{"n":0}')
            raise RuntimeError("the cell failed")
        assert answer("a") == '{"n":0}'  # cleared after the cell, even a failed one
        host.expect(None, {"n": 5})  # every emulator
        assert (answer("a"), answer("b")) == ('{"n":5}', '{"n":5}')
        host.clear_expected()
    finally:
        host.close()


def test_the_runner_tells_the_emulator_the_scenarios_answer(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A prompt the emulator cannot look up: only the expected answer can make the cell pass.
    scenario = dataclasses.replace(get_scenario("nested"), prompt="Who lives where?")
    monkeypatch.setattr(runner_module, "get_scenario", lambda name: scenario)
    runner = Runner(RunSettings(target="emulator", cassette_dir=tmp_path))
    try:
        result = runner.run_cell(Cell("openai", "tools", "nested"))
    finally:
        runner.close()
    assert result.outcome == "pass", result.message
