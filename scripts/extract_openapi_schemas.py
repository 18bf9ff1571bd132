"""Extract the OpenAPI component schemas the emulator validates against into compact JSON files.

Reads ../shared/data/openapi/*.yaml (never shipped) and writes deployer/emulator/schemas/{cse,sumo}.json:
for each operation the emulator serves, the request/response schema names, plus the transitive
closure of component schemas they reference, rewritten as JSON Schema 2020-12:

- `nullable: true` becomes a `"null"` member of `type`;
- a `discriminator` becomes `if/then` branches on the discriminator property (explicit mapping, or
  the implicit one: schemas whose `allOf` extends the base, named after the value), so nested
  payloads (triggers, notifications, sync definitions) are validated against their concrete type;
- `oneOf` becomes `anyOf`: the generator-normalised CSE spec lists rule variants that overlap (a
  threshold rule also satisfies the legacy match variant), so "exactly one" is unsatisfiable;
- examples, descriptions, titles and `x-` annotations are dropped.

Run: .venv/bin/python scripts/extract_openapi_schemas.py [--openapi DIR]
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "deployer" / "emulator" / "schemas"
REF = "#/components/schemas/"

# Operations the emulator serves, as "METHOD /path" in each spec's own path space.
OPERATIONS = {
    "cse": [
        "GET /rules", "GET /rules/{id}", "DELETE /rules/{id}", "PUT /rules/{id}/enabled",
        "POST /rules/templated", "PUT /rules/templated/{id}",
        "POST /rules/threshold", "PUT /rules/threshold/{id}",
        "POST /rules/chain", "PUT /rules/chain/{id}",
        "POST /rules/aggregation", "PUT /rules/aggregation/{id}",
        "POST /rules/first-seen", "PUT /rules/first-seen/{id}",
        "PUT /rules/outlier/{id}/override",
        "GET /rule-tuning-expressions", "POST /rule-tuning-expressions",
        "GET /rule-tuning-expressions/{id}", "PUT /rule-tuning-expressions/{id}",
        "DELETE /rule-tuning-expressions/{id}",
        "GET /match-lists", "POST /match-lists", "GET /match-lists/{id}", "PUT /match-lists/{id}",
        "DELETE /match-lists/{id}", "POST /match-lists/{id}/items",
    ],
    "sumo": [
        "GET /v2/content/folders/personal", "POST /v2/content/folders", "GET /v2/content/folders/{id}",
        "PUT /v2/content/folders/{id}", "GET /v2/content/path", "GET /v2/content/{contentId}/path",
        "POST /v2/content/folders/{folderId}/import", "GET /v2/content/folders/{folderId}/import/{jobId}/status",
        "POST /v2/content/{id}/export", "GET /v2/content/{contentId}/export/{jobId}/status",
        "GET /v2/content/{contentId}/export/{jobId}/result",
        "DELETE /v2/content/{id}/delete", "GET /v2/content/{id}/delete/{jobId}/status",
        "GET /v1/monitors/root", "POST /v1/monitors", "GET /v1/monitors/{id}", "PUT /v1/monitors/{id}",
        "DELETE /v1/monitors/{id}", "GET /v1/monitors/search", "GET /v1/monitors/path",
    ],
}
SPEC_FILES = {"cse": "sumologic-cse-api.yaml", "sumo": "sumologic-api.yaml"}
DROP = {"example", "examples", "description", "title", "externalDocs", "xml"}


def _json_schema(node):
    if isinstance(node, list):
        return [_json_schema(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key in DROP or key.startswith("x-") or key in ("discriminator", "nullable"):
            continue
        if key == "$ref":
            out[key] = "#/$defs/" + value.removeprefix(REF)
        elif key == "oneOf":
            out["anyOf"] = _json_schema(value)
        elif key == "properties":
            out[key] = {name: _json_schema(sub) for name, sub in value.items()}
        else:
            out[key] = _json_schema(value)
    if node.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"]
    return out


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value.removeprefix(REF)
            elif key != "discriminator":  # subtypes are followed by `_subtypes`
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _subtypes(schemas: dict, base: str) -> dict[str, str]:
    """Discriminator value -> schema name, explicit mapping first, else the implicit one."""
    disc = schemas[base]["discriminator"]
    if disc.get("mapping"):
        return {value: ref.removeprefix(REF) for value, ref in disc["mapping"].items()}
    found = {}
    for name, schema in schemas.items():
        if any(part.get("$ref") == REF + base for part in schema.get("allOf", []) if isinstance(part, dict)):
            found[name] = name
    return found


def extract(spec: dict, operations: list[str]) -> dict:
    schemas = spec["components"]["schemas"]
    ops, roots = {}, []
    for op in operations:
        method, path = op.split(" ", 1)
        detail = spec["paths"][path][method.lower()]
        request = detail.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
        responses = {}
        for status, resp in detail.get("responses", {}).items():
            schema = resp.get("content", {}).get("application/json", {}).get("schema") if resp else None
            if schema and "$ref" in schema:
                responses[status] = schema["$ref"].removeprefix(REF)
        ops[op] = {"request": request["$ref"].removeprefix(REF) if request else None, "responses": responses}
        roots += [n for n in [ops[op]["request"], *responses.values()] if n]

    closure, todo = set(), list(roots)
    while todo:
        name = todo.pop()
        if name in closure:
            continue
        closure.add(name)
        todo += list(_refs(schemas[name]))
        if "discriminator" in schemas[name]:
            todo += list(_subtypes(schemas, name).values())

    discriminated = {n for n in closure if "discriminator" in schemas[n]}
    out = {name: _json_schema(schemas[name]) for name in sorted(closure)}
    for base in sorted(discriminated):
        prop = schemas[base]["discriminator"]["propertyName"]
        subtypes = _subtypes(schemas, base)
        branches = [
            {"if": {"properties": {prop: {"const": value}}, "required": [prop]}, "then": {"$ref": f"#/$defs/{sub}"}}
            for value, sub in sorted(subtypes.items())
            if sub != base
        ]
        values = sorted(v for v, sub in subtypes.items() if sub != base)
        out[f"{base}.dispatch"] = {
            "allOf": [{"$ref": f"#/$defs/{base}"}, {"properties": {prop: {"enum": values}}}, *branches],
        }
    # Every reference to a discriminated base now goes through its dispatcher, except the `allOf`
    # by which a subtype extends the base (that would recurse).
    text = json.dumps(out, sort_keys=True)
    for base in discriminated:
        text = text.replace(f'"$ref": "#/$defs/{base}"', f'"$ref": "#/$defs/{base}.dispatch"')
    out = json.loads(text)
    for base in discriminated:
        for sub in _subtypes(schemas, base).values():
            for part in out.get(sub, {}).get("allOf", []):
                if part.get("$ref") == f"#/$defs/{base}.dispatch":
                    part["$ref"] = f"#/$defs/{base}"
        out[f"{base}.dispatch"]["allOf"][0]["$ref"] = f"#/$defs/{base}"
    for op in ops.values():
        if op["request"] in discriminated:
            op["request"] += ".dispatch"
        op["responses"] = {s: n + ".dispatch" if n in discriminated else n for s, n in op["responses"].items()}
    return {"operations": ops, "$defs": out}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--openapi", type=Path, default=ROOT.parent / "shared" / "data" / "openapi")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    for family, operations in OPERATIONS.items():
        spec = yaml.load((args.openapi / SPEC_FILES[family]).read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        result = extract(spec, operations)
        text = json.dumps(result, sort_keys=True, separators=(",", ":"), default=str)
        text = re.sub(r"\s+", " ", text)
        (OUT / f"{family}.json").write_text(text + "\n")
        print(f"{family}.json: {len(result['operations'])} operations, {len(result['$defs'])} schemas, {len(text):,} bytes")


if __name__ == "__main__":
    main()
