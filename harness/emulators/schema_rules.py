"""Each API's documented rules for the schemas a request carries, and the 400 text of a breach.

The emulated model answers any schema it can (schemas, sampler); these are the rules a real
API checks first and refuses a request for, whatever a model could have answered:

- OpenAI (and the APIs of its family): a function's parameters must be a valid JSON schema;
  with `strict: true` (structured outputs), every object must set `additionalProperties:
  false` and list every property in `required`, and some keywords are not permitted
  (the Structured Outputs guide's "supported schemas": `allOf`, `not`, `if`/`then`/`else`,
  `dependentRequired`, `dependentSchemas` are not supported; `oneOf` is refused too, as
  livekit/agents#5302 quotes). Texts: dottxt-ai/outlines#844 and
  langchain-ai/langchain#25169 (additionalProperties),
  agentscope-java#2548 (required), livekit/agents#5302 (not permitted),
  MarkusPfundstein/mcp-gsuite#34 (an invalid function schema).
- Google (Gemini API and Vertex AI): `parameters` and `responseSchema` are the API's Schema
  object (its fields only: an unknown name is a JSON parse error, as in simonw/llm-gemini#49
  and pickeld/pick-a-recipe#29); a schema without a type must use anyOf (the Gemini API's
  text: danny-avila/LibreChat#6971; Vertex's: google-gemini/gemini-cli#2282); a function's
  parameters object needs properties (brainlid/langchain#183, agno-agi/agno#2112). The JSON
  schema fields (`parametersJsonSchema`, `responseJsonSchema`) are not checked here.
- Anthropic (and Claude on Bedrock): a tool's input_schema must be a valid draft 2020-12 JSON
  schema (anthropics/claude-code#7365; Bedrock: acomagu/vscode-as-mcp-server#6); an
  unresolvable local $ref counts as invalid. Structured outputs (`output_format`,
  `output_config.format`, Bedrock's `outputConfig`) take the documented subset: no recursive
  schema, no numeric or string-length bounds, no array bounds beyond minItems 0 or 1, every
  object closed with `additionalProperties: false`, the listed string formats, primitive
  enums. The API answers those with a 400 invalid_request_error "with details" (its docs); no
  public sample of the wording was found, so the wording after the field path is the
  emulator's.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from jsonschema import Draft202012Validator, SchemaError

from harness.emulators.schemas import SchemaUnservable, resolve

_STRICT_NOT_PERMITTED = ("allOf", "not", "if", "then", "else", "dependentRequired",
                         "dependentSchemas", "oneOf")


Path = tuple[str, ...]


def _children(node: dict[str, Any], path: Path) -> Iterator[tuple[Any, Path]]:
    for key in ("properties", "$defs", "definitions"):
        for name, child in (node.get(key) or {}).items() if isinstance(node.get(key), dict) \
                else ():
            yield child, (*path, key, name)
    for key in ("items", "additionalProperties", "not"):
        if isinstance(node.get(key), dict):
            yield node[key], (*path, key)
    for key in ("anyOf", "oneOf", "allOf", "prefixItems"):
        for i, child in enumerate(node.get(key) or []):
            yield child, (*path, key, str(i))


def walk(schema: Any, path: Path = ()) -> Iterator[tuple[dict[str, Any], Path]]:
    """Every subschema of `schema` (objects only) with its path, parents first."""
    if not isinstance(schema, dict):
        return
    yield schema, path
    for child, where in _children(schema, path):
        yield from walk(child, where)


def json_schema_problem(schema: Any) -> str | None:
    """Why `schema` is no valid JSON schema (draft 2020-12), or which local $ref points
    nowhere; None when it is one."""
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        return exc.message
    for node, _ in walk(schema):
        ref = node.get("$ref")
        if isinstance(ref, str):
            try:
                resolve(schema, ref)
            except SchemaUnservable as exc:
                return str(exc)
    return None


# --- OpenAI -------------------------------------------------------------------------------

def _strict_problem(schema: dict[str, Any]) -> str | None:
    for node, path in walk(schema):
        context = f"In context={tuple(path)!r}"
        for keyword in _STRICT_NOT_PERMITTED:
            if keyword in node:
                return f"{context}, '{keyword}' is not permitted."
        if node.get("type") == "object" or "properties" in node:
            if node.get("additionalProperties") is not False:
                return (f"{context}, 'additionalProperties' is required to be supplied and "
                        f"to be false.")
            missing = [k for k in node.get("properties") or {} if k not in
                       (node.get("required") or [])]
            if missing:
                return (f"{context}, 'required' is required to be supplied and to be an array "
                        f"including every key in properties. Missing '{missing[0]}'.")
    return None


def openai(kind: str, name: str, schema: Any, strict: bool) -> str | None:
    """The 400 message for `schema` of a function or response_format called `name`, or None.
    `kind` is "function" or "response_format"."""
    problem = json_schema_problem(schema)
    if problem is None and strict and isinstance(schema, dict):
        problem = _strict_problem(schema)
    return f"Invalid schema for {kind} '{name}': {problem}" if problem else None


# --- Google -------------------------------------------------------------------------------

_GOOGLE_FIELDS = {"type", "format", "title", "description", "nullable", "enum", "maxItems",
                  "minItems", "properties", "required", "minProperties", "maxProperties",
                  "minLength", "maxLength", "pattern", "example", "anyOf", "propertyOrdering",
                  "default", "items", "minimum", "maximum"}
# The API's JSON parser takes each field's snake_case name too.
_GOOGLE_FIELDS |= {"".join("_" + c.lower() if c.isupper() else c for c in f)
                   for f in _GOOGLE_FIELDS}


def _google_nodes(node: Any, parsed: str, named: str) -> Iterator[tuple[dict[str, Any], str, str]]:
    """(node, path as the JSON parser names it, path as the validator names it)."""
    if not isinstance(node, dict):
        return
    yield node, parsed, named
    props = node.get("properties")
    for i, (name, child) in enumerate(props.items() if isinstance(props, dict) else ()):
        yield from _google_nodes(child, f"{parsed}.properties[{i}].value",
                                 f"{named}.properties[{name}]")
    if isinstance(node.get("items"), dict):
        yield from _google_nodes(node["items"], f"{parsed}.items", f"{named}.items")
    for key in ("anyOf", "any_of"):
        for i, child in enumerate(node.get(key) or []):
            yield from _google_nodes(child, f"{parsed}.any_of[{i}]", f"{named}.any_of[{i}]")


def google_unknown_fields(schema: Any, where: str) -> list[tuple[str, str]]:
    """(field path, message) for each name the Schema object does not have."""
    out = []
    for node, parsed, _ in _google_nodes(schema, where, where):
        for key in node:
            if key not in _GOOGLE_FIELDS:
                out.append((parsed, f'Invalid JSON payload received. Unknown name "{key}" at '
                                    f"'{parsed}': Cannot find field."))
    return out


def google_function(parameters: Any, where: str, function: str,
                    vertex: bool) -> str | None:
    """The 400 message for a function declaration's `parameters` Schema, or None (unknown
    fields are checked apart: google_unknown_fields)."""
    if not isinstance(parameters, dict):
        return None
    for node, _, named in _google_nodes(parameters, where, where):
        if "type" not in node and not (node.get("anyOf") or node.get("any_of")):
            if vertex:
                dotted = "parameters" + named[len(where):].replace(
                    ".properties[", ".").replace("]", "")
                return (f"Unable to submit request because `{function}` functionDeclaration "
                        f"`{dotted}` schema didn't specify the schema type field. Learn more: "
                        f"https://cloud.google.com/vertex-ai/generative-ai/docs/multimodal/"
                        f"function-calling")
            return (f"* GenerateContentRequest.{named}.type: must be specified when not using "
                    f"one_of, any_of or all_of fields\n")
    if not vertex and str(parameters.get("type", "")).upper() == "OBJECT" and \
            not parameters.get("properties"):
        return (f"* GenerateContentRequest.{where}.properties: should be non-empty for OBJECT "
                f"type\n")
    return None


# --- Anthropic and Claude on Bedrock --------------------------------------------------------

TOOL_SCHEMA_INVALID = ("JSON schema is invalid. It must match JSON Schema draft 2020-12 "
                       "(https://json-schema.org/draft/2020-12).")
_FORMATS = {"date-time", "time", "date", "duration", "email", "hostname", "uri", "ipv4",
            "ipv6", "uuid"}
_BOUNDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
           "minLength", "maxLength", "maxItems")


def _recursive_ref(schema: dict[str, Any]) -> str | None:
    """A $ref reached again while following itself: the schema is recursive."""
    def follow(node: Any, stack: tuple[str, ...]) -> str | None:
        for sub, _ in walk(node):
            ref = sub.get("$ref")
            if not isinstance(ref, str):
                continue
            if ref in stack:
                return ref
            found = follow(resolve(schema, ref), (*stack, ref))
            if found:
                return found
        return None
    return follow(schema, ("#",))


def structured_output_problem(schema: Any) -> str | None:
    """What of the structured-outputs JSON schema subset `schema` breaks, or None."""
    problem = json_schema_problem(schema)
    if problem is not None:
        return TOOL_SCHEMA_INVALID
    if not isinstance(schema, dict):
        return None
    recursive = _recursive_ref(schema)
    if recursive:
        return f"recursive schemas are not supported ($ref {recursive!r} refers to itself)"
    for node, path in walk(schema):
        where = "/".join(path) or "(root)"
        bound = next((k for k in _BOUNDS if k in node), None)
        if bound or (node.get("minItems") or 0) > 1:
            return f"{where}: '{bound or 'minItems'}' is not supported"
        if "format" in node and node["format"] not in _FORMATS:
            return f"{where}: string format '{node['format']}' is not supported"
        if any(isinstance(v, (dict, list)) for v in node.get("enum") or []):
            return f"{where}: complex types in 'enum' are not supported"
        if (node.get("type") == "object" or "properties" in node) and \
                node.get("additionalProperties") is not False:
            return f"{where}: 'additionalProperties' must be set to false for every object"
    return None
