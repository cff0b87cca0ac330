"""JSON schemas as the emulated model reads them: one spelling, refs inlined, answers checked.

Requests carry schemas in several dialects: JSON Schema from pydantic (with `$defs`/`$ref`),
OpenAI's strict variant, and Google's OpenAPI subset (`type: OBJECT`, `nullable`, snake_case
keywords, `format: enum`), and the anthropic SDK's, which states unsupported bounds in the
description. `normalise` turns them into plain JSON Schema; `inline_refs`
resolves local references (hypothesis-jsonschema rejects recursive ones) by cutting each
recursion after one level with the `false` schema, so only its finite case (an empty list,
an absent or null field) remains; `problems` validates with jsonschema; `order_like` puts an
instance's keys in the schema's property order, as a model writing that schema would.
"""

from __future__ import annotations

import re
from typing import Any

from jsonschema import Draft202012Validator, SchemaError
from jsonschema.validators import validator_for
from referencing.exceptions import Unresolvable as _Unresolvable


class SchemaUnservable(Exception):
    """A schema the emulated model cannot answer: the emulator answers the provider's 400."""


# Keywords whose value is one subschema, a list of them, or a name -> subschema map.
_ONE = ("items", "additionalProperties", "not", "contains", "propertyNames", "if", "then",
        "else", "unevaluatedItems", "unevaluatedProperties", "additionalItems")
_LIST = ("anyOf", "oneOf", "allOf", "prefixItems")
_MAP = ("properties", "$defs", "definitions", "patternProperties", "dependentSchemas")
# Google's Schema accepts snake_case keywords (proto JSON names) beside the camelCase ones.
_GOOGLE_KEYS = {"any_of": "anyOf", "min_items": "minItems", "max_items": "maxItems",
                "min_length": "minLength", "max_length": "maxLength",
                "min_properties": "minProperties", "max_properties": "maxProperties",
                "property_ordering": "propertyOrdering"}
_TYPES = {"STRING", "NUMBER", "INTEGER", "BOOLEAN", "ARRAY", "OBJECT", "NULL"}
# Numeric keywords a description may state in a trailing `{key: value, ...}`.
_NUMERIC = {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
            "minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties"}
_STATED = re.compile(r"\{([^{}]*)\}\s*$")
_PAIR = re.compile(r"(\w+): (-?\d+(?:\.\d+)?)(?=,|$)")
# Sibling keywords of a $ref that only annotate: dropped when the reference is inlined.
_ANNOTATIONS = {"title", "description", "default", "examples", "$comment", "deprecated",
                "readOnly", "writeOnly"}


def _map_children(node: dict[str, Any], fn: Any) -> dict[str, Any]:
    """`node` with `fn` applied to each direct subschema (keys and order kept)."""
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _ONE and isinstance(value, (dict, bool)):
            out[key] = fn(value)
        elif key in _ONE and key == "items" and isinstance(value, list):
            out[key] = [fn(v) for v in value]  # draft-4 tuple items
        elif key in _LIST and isinstance(value, list):
            out[key] = [fn(v) for v in value]
        elif key in _MAP and isinstance(value, dict):
            out[key] = {name: fn(v) for name, v in value.items()}
        else:
            out[key] = value
    return out


def _google_type(node: dict[str, Any]) -> dict[str, Any]:
    kind = node.get("type")
    if isinstance(kind, str) and kind in _TYPES:
        node["type"] = kind.lower()
    elif isinstance(kind, list):
        node["type"] = [k.lower() if isinstance(k, str) and k in _TYPES else k for k in kind]
    if node.get("format") == "enum":  # Google's marker of a string enum, not a JSON format
        del node["format"]
    if node.pop("nullable", False) is True:
        kind = node.get("type")
        if isinstance(kind, str):
            node["type"] = [kind, "null"]
            if "enum" in node:
                node["enum"] = [*node["enum"], None]
        else:
            return {"anyOf": [node, {"type": "null"}]}
    return node


def _stated(node: dict[str, Any]) -> dict[str, Any]:
    """`node` with the numeric constraints its description states added back: the anthropic
    SDK moves keywords the API does not take into the description (`{maximum: 99, minimum:
    1}`), where the model reads them; the SDK then validates the answer against them."""
    found = _STATED.search(str(node.get("description", "")))
    if not found:
        return node
    for key, value in _PAIR.findall(found.group(1)):
        if key in _NUMERIC and key not in node:
            node[key] = float(value) if "." in value else int(value)
    return node


def normalise(schema: Any) -> Any:
    """Plain JSON Schema for `schema`, whichever provider dialect spells it."""
    if not isinstance(schema, dict):
        return schema
    node: dict[str, Any] = {_GOOGLE_KEYS.get(str(k), str(k)): v for k, v in schema.items()}
    node.pop("propertyOrdering", None)
    return _google_type(_stated(_map_children(node, normalise)))


def _pointer(root: dict[str, Any], ref: str) -> Any:
    if ref == "#":
        return root
    if not ref.startswith("#/"):
        raise SchemaUnservable(f"$ref {ref!r} points outside the schema; the emulated model "
                               f"resolves only local references (#/...)")
    node: Any = root
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            raise SchemaUnservable(f"$ref {ref!r} names nothing in the schema")
        node = node[part]
    return node


def inline_refs(schema: Any) -> Any:
    """`schema` with its local $refs inlined; a recursive one is cut after one level."""
    if not isinstance(schema, dict):
        return schema
    root = schema

    def walk(node: Any, stack: tuple[str, ...]) -> Any:
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str):
            if ref in stack:
                return False  # recursion: only the case that needs no further level remains
            target = walk(_pointer(root, ref), (*stack, ref))
            rest = {k: v for k, v in node.items() if k != "$ref" and k not in _ANNOTATIONS}
            return {"allOf": [target, walk(rest, stack)]} if rest else target
        inner = {k: v for k, v in node.items() if k not in ("$defs", "definitions")}
        return _map_children(inner, lambda child: walk(child, stack))

    return walk(schema, ("#",))


def prepare(schema: Any) -> Any:
    """The schema a generator can work from: normalised, references inlined."""
    return inline_refs(normalise(schema))


def resolve(root: dict[str, Any], ref: str) -> Any:
    """What the local reference `ref` points to in `root` (SchemaUnservable: nothing)."""
    return _pointer(root, ref)


def problems(instance: Any, schema: Any) -> list[str]:
    """Why `instance` is not valid against `schema` (formats checked too); [] when it is.

    A schema that is no valid JSON schema, or whose $ref points nowhere, cannot be answered:
    SchemaUnservable (the emulator's 400), never a crash."""
    if schema is None or schema is True or schema == {}:
        return []
    if schema is False:
        return ["(root): the schema is `false`: nothing is valid"]
    normal = normalise(schema)
    cls = validator_for(normal, default=Draft202012Validator)
    try:
        validator = cls(normal, format_checker=cls.FORMAT_CHECKER)
        errors = list(validator.iter_errors(instance))
    except SchemaError as exc:
        raise SchemaUnservable(f"the schema is not a valid JSON schema: {exc.message}") from None
    except _Unresolvable as exc:
        raise SchemaUnservable(f"a $ref of the schema points nowhere: {exc}") from None
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in errors]


def _branch(instance: Any, branches: list[Any], root: dict[str, Any]) -> Any:
    """The first anyOf/oneOf branch `instance` is valid against (refs resolved via root)."""
    defs = {k: root[k] for k in ("$defs", "definitions") if k in root}
    for branch in branches:
        if isinstance(branch, dict) and not problems(instance, {**defs, **branch}):
            return branch
    return None


def order_like(instance: Any, schema: Any, root: Any = None) -> Any:
    """`instance` with every object's keys in its schema's property order, extras after."""
    root = schema if root is None else root
    if not isinstance(schema, dict) or not isinstance(root, dict):
        return instance
    if isinstance(schema.get("$ref"), str):
        try:
            return order_like(instance, _pointer(root, schema["$ref"]), root)
        except SchemaUnservable:
            return instance
    for key in ("anyOf", "oneOf"):
        if isinstance(schema.get(key), list):
            branch = _branch(instance, schema[key], root)
            if branch is not None:
                return order_like(instance, branch, root)
    for sub in schema.get("allOf") or []:
        instance = order_like(instance, sub, root)
    if isinstance(instance, list) and isinstance(schema.get("items"), dict):
        return [order_like(item, schema["items"], root) for item in instance]
    props = schema.get("properties")
    if isinstance(instance, dict) and isinstance(props, dict):
        ordered = {k: order_like(instance[k], props[k], root) for k in props if k in instance}
        extra = schema.get("additionalProperties")
        ordered.update({k: order_like(v, extra, root) for k, v in instance.items()
                        if k not in ordered})
        return ordered
    return instance
