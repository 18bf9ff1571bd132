"""Regenerate deployer/cseql/data/normalized_fields.json from the Cloud SIEM normalized schema.

Reads ../shared/data/cse-normalized-schema.json (or the path given); writes only names, types,
entity types and deprecation, never descriptions. Usage: python scripts/build_cse_field_list.py [SCHEMA]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SCHEMA = ROOT.parent / "shared" / "data" / "cse-normalized-schema.json"
OUTPUT = ROOT / "deployer" / "cseql" / "data" / "normalized_fields.json"


def compact(schema: dict[str, dict]) -> dict:
    """The shipped subset: field -> type, field -> entity type, deprecated field names."""
    return {
        "source": "cloud-siem-content-catalog schema/normalized_schema_build.json",
        "fields": {name: spec["type"] for name, spec in sorted(schema.items())},
        "entity_fields": {
            name: spec["entity_type"] for name, spec in sorted(schema.items()) if spec.get("entity_type")
        },
        "deprecated": sorted(name for name, spec in schema.items() if spec.get("deprecated")),
    }


def main(argv: list[str]) -> int:
    source = Path(argv[1]) if len(argv) > 1 else DEFAULT_SCHEMA
    data = compact(json.loads(source.read_text(encoding="utf-8")))
    OUTPUT.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {len(data['fields'])} fields ({len(data['entity_fields'])} entity fields) to {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
