"""The reviewer findings contract: extract it from a message and validate it, without jsonschema.

The schema is ``skills/output-contract/findings.schema.json`` (one copy; ``find_schema`` looks
where the plugin, the checkout and ``cc-pack init`` put it). ``validate`` implements exactly the
keywords that schema uses (``KEYWORDS``) with jsonschema's semantics: an unknown keyword is an
error at load time, never silently ignored. ``tests/hooks/test_contract.py`` checks the verdicts
agree with jsonschema on generated contracts.
"""

from __future__ import annotations

import os

from cc_pack_hooks.runtime import BadEvent, loads

KEYWORDS = frozenset({"type", "enum", "required", "properties", "additionalProperties", "items",
                      "minLength", "minimum"})  # fmt: skip
ANNOTATIONS = frozenset({"$schema", "$id", "title", "description"})
HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA_TAIL = os.path.join("skills", "output-contract", "findings.schema.json")


class SchemaError(Exception):
    """The schema uses something this validator does not implement."""


def find_schema(project: str | None, tail: str = SCHEMA_TAIL) -> str | None:
    """A contract schema (``tail`` below the pack root), where the plugin, the checkout and
    ``cc-pack init`` put it."""
    candidates = []
    plugin = os.environ.get("CLAUDE_PLUGIN_ROOT")
    if plugin:
        candidates.append(os.path.join(plugin, tail))
    candidates += [
        os.path.join(HERE, "..", "..", tail),  # checkout: tools/cc_pack_hooks beside skills/
        os.path.join(HERE, "..", tail),
        os.path.join(HERE, "..", "..", "..", tail),  # drop-in: .claude/hooks/cc-pack/cc_pack_hooks
    ]
    if project:
        candidates.append(os.path.join(project, ".claude", tail))
    return next((os.path.normpath(c) for c in candidates if os.path.isfile(c)), None)


def load_schema(path: str) -> dict:
    with open(path, encoding="utf-8") as fh:
        schema = loads(fh.read())
    check_schema(schema)
    return schema


def check_schema(schema: object, where: str = "#") -> None:
    if not isinstance(schema, dict):
        raise SchemaError(f"{where}: not an object")
    unknown = set(schema) - KEYWORDS - ANNOTATIONS
    if unknown:
        raise SchemaError(f"{where}: unsupported keyword(s) {sorted(unknown)}")
    for name, sub in (schema.get("properties") or {}).items():
        check_schema(sub, f"{where}/properties/{name}")
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            check_schema(schema[key], f"{where}/{key}")


def extract(message: object, what: str = "findings") -> tuple[object, str | None]:
    """(the JSON value, None) from a whole-JSON message or exactly one fenced ```json block;
    (None, problem) otherwise. ``what`` names the object in the problem (findings, return
    packet)."""
    if not isinstance(message, str) or not message.strip():
        return None, f"the final message is empty; it must be the {what} JSON object"
    text = message.strip()
    if text.startswith(("{", "[")):
        try:
            return loads(text), None
        except BadEvent as exc:
            return None, f"the message is {exc}"
    blocks = _fenced_json(text)
    if len(blocks) == 1:
        try:
            return loads(blocks[0]), None
        except BadEvent as exc:
            return None, f"the ```json block is {exc}"
    if len(blocks) > 1:
        return None, f"the message has {len(blocks)} ```json blocks; send exactly one"
    return None, f"no {what} JSON found: end with the JSON object alone or in one ```json block"


def _fenced_json(text: str) -> list[str]:
    blocks, inside, body = [], False, []
    for line in text.split("\n"):
        stripped = line.strip()
        if not inside and stripped.startswith("```") and stripped[3:].strip().lower() == "json":
            inside, body = True, []
        elif inside and stripped == "```":
            blocks.append("\n".join(body))
            inside = False
        elif inside:
            body.append(line)
    return blocks


def _type_ok(value: object, kind: str) -> bool:
    if kind == "object":
        return isinstance(value, dict)
    if kind == "array":
        return isinstance(value, list)
    if kind == "string":
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "null":
        return value is None
    if isinstance(value, bool):
        return False
    if kind == "integer":
        return isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if kind == "number":
        return isinstance(value, int | float)
    return False


def _kind(value: object) -> str:
    for kind in ("null", "boolean", "integer", "number", "string", "array", "object"):
        if _type_ok(value, kind):
            return kind
    return type(value).__name__


def _equal(a: object, b: object) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return a == b


def validate(value: object, schema: dict, where: str = "") -> list[str]:
    """Every violation as ``path: problem`` (``findings[2].severity: 'x' is not one of ...``)."""
    errors: list[str] = []
    label = where or "(root)"
    kinds = schema.get("type")
    if kinds is not None:
        allowed = kinds if isinstance(kinds, list) else [kinds]
        if not any(_type_ok(value, k) for k in allowed):
            shown = _short(value)
            errors.append(f"{label}: expected {' or '.join(allowed)}, got {_kind(value)} {shown}")
            return errors
    if "enum" in schema and not any(_equal(value, e) for e in schema["enum"]):
        choices = ", ".join(str(e) for e in schema["enum"])
        errors.append(f"{label}: {_short(value)} is not one of {choices}")
    if isinstance(value, str) and "minLength" in schema and len(value) < schema["minLength"]:
        errors.append(
            f"{label}: must not be empty"
            if schema["minLength"] == 1
            else f"{label}: shorter than {schema['minLength']} characters"
        )
    if (
        "minimum" in schema
        and isinstance(value, int | float)
        and not isinstance(value, bool)
        and value < schema["minimum"]
    ):
        errors.append(f"{label}: {value} is less than the minimum of {schema['minimum']}")
    if isinstance(value, dict):
        props = schema.get("properties") or {}
        for name in schema.get("required") or []:
            if name not in value:
                errors.append(f"{label}: missing required field '{name}'")
        extra = schema.get("additionalProperties", True)
        for name, item in value.items():
            path = f"{where}.{name}" if where else name
            if name in props:
                errors.extend(validate(item, props[name], path))
            elif extra is False:
                errors.append(f"{label}: unexpected field '{name}' (allowed: {', '.join(props)})")
            elif isinstance(extra, dict):
                errors.extend(validate(item, extra, path))
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        for k, item in enumerate(value):
            errors.extend(validate(item, schema["items"], f"{where}[{k}]"))
    return errors


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def shape(schema: dict) -> str:
    """The expected shape of a contract schema, one line, for the agent to copy (``?`` marks an
    optional field)."""
    return _shape(schema)


def _shape(node: dict) -> str:
    if "enum" in node:
        return "|".join(str(v) for v in node["enum"])
    kind = node.get("type", "any")
    if kind == "array":
        return f"[{_shape(node.get('items') or {})}]"
    if kind == "object" and node.get("properties"):
        required = node.get("required") or []
        fields = [
            f'"{name}"{"" if name in required else "?"}: {_shape(sub)}'
            for name, sub in node["properties"].items()
        ]
        return "{" + ", ".join(fields) + "}"
    return kind
