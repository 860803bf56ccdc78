#!/usr/bin/python3
"""Validates tradingd's OpenAPI document (api/openapi/openapi.json).

Run by ctest (openapi_validates_oas31) with Debian's python3-jsonschema:

  validate_openapi.py OPENAPI_JSON OAS31_SCHEMA_JSON EXAMPLES_DIR

Checks, each failure printed, exit status 1 if any:
 1. the document is valid against the official OAS 3.1 JSON Schema (Draft
    2020-12; it uses $dynamicRef, so the validator is first shown to apply
    it: a document whose component schema is not a schema must be refused);
 2. every schema under components/schemas is itself a valid Draft 2020-12
    schema (OAS 3.1's default dialect is 2020-12 plus a few annotations);
 3. every `examples` entry of a component schema, and every example of a
    response or request media type, validates against its schema;
 4. each file of EXAMPLES_DIR, {"schema": NAME, "valid": [...], "invalid": [...]},
    holds instances that the named component schema accepts / refuses.
"""
import copy
import importlib.metadata
import json
import pathlib
import sys

import jsonschema
from jsonschema import Draft202012Validator, RefResolver

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def errors_of(validator, instance):
    return sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))


def describe(err):
    where = "/".join(str(p) for p in err.absolute_path) or "(root)"
    return f"at {where}: {err.message[:300]}"


def main():
    if len(sys.argv) != 4:
        print(__doc__)
        return 2
    doc = json.loads(pathlib.Path(sys.argv[1]).read_text(encoding="utf-8"))
    oas = json.loads(pathlib.Path(sys.argv[2]).read_text(encoding="utf-8"))
    examples_dir = pathlib.Path(sys.argv[3])
    print("python3-jsonschema", importlib.metadata.version("jsonschema"))

    # 1. The document against the OAS 3.1 schema.
    Draft202012Validator.check_schema(oas)
    oas_validator = Draft202012Validator(oas)
    for err in errors_of(oas_validator, doc):
        fail("OAS 3.1: " + describe(err))
    # The validator must really follow $dynamicRef "#meta" (components/schemas
    # entries): a number there is not a schema and must be refused. If this
    # passes, check 1 would have passed without checking schemas at all.
    broken = copy.deepcopy(doc)
    broken["components"]["schemas"]["Broken"] = 42
    if not list(oas_validator.iter_errors(broken)):
        fail("the validator ignores $dynamicRef: a non-schema under components/schemas passed")
    broken = copy.deepcopy(doc)
    next(iter(next(iter(broken["paths"].values())).values()))["responses"] = {"200": {}}
    if not list(oas_validator.iter_errors(broken)):
        fail("the validator accepted a response without a description")

    # 2. Every component schema is a Draft 2020-12 schema.
    schemas = doc["components"]["schemas"]
    for name, schema in schemas.items():
        try:
            Draft202012Validator.check_schema(schema)
        except jsonschema.SchemaError as e:
            fail(f"components/schemas/{name} is not a valid 2020-12 schema: {e.message}")

    # Validators for schemas inside the document ("#/components/..." refs).
    resolver = RefResolver.from_schema(doc)

    def validator_for(schema):
        return Draft202012Validator(schema, resolver=resolver)

    def check(schema, instance, label, expect_valid=True):
        errs = errors_of(validator_for(schema), instance)
        if expect_valid and errs:
            fail(f"{label}: " + "; ".join(describe(e) for e in errs[:3]))
        if not expect_valid and not errs:
            fail(f"{label}: accepted, but should be refused: {json.dumps(instance)[:200]}")
        return not errs

    # 3. Examples inside the document.
    count = 0
    for name, schema in schemas.items():
        for i, ex in enumerate(schema.get("examples", [])):
            check(schema, ex, f"components/schemas/{name} examples[{i}]")
            count += 1

    def media_examples(media, label):
        nonlocal count
        schema = media.get("schema")
        if schema is None:
            return
        for ex_name, ex in media.get("examples", {}).items():
            if "value" in ex:
                check(schema, ex["value"], f"{label} example {ex_name}")
                count += 1

    for name, resp in doc["components"].get("responses", {}).items():
        for mt, media in resp.get("content", {}).items():
            media_examples(media, f"components/responses/{name} {mt}")
    for path, item in doc["paths"].items():
        for method, op in item.items():
            for mt, media in op.get("requestBody", {}).get("content", {}).items():
                media_examples(media, f"{method.upper()} {path} request {mt}")
            for code, resp in op.get("responses", {}).items():
                for mt, media in resp.get("content", {}).items():
                    media_examples(media, f"{method.upper()} {path} {code} {mt}")
    print(f"{count} examples in the document checked")

    # 4. Hand-made instances.
    files = sorted(examples_dir.glob("*.json"))
    if not files:
        fail(f"no example files in {examples_dir}")
    for f in files:
        data = json.loads(f.read_text(encoding="utf-8"))
        name = data["schema"]
        if name not in schemas:
            fail(f"{f.name}: no schema {name}")
            continue
        schema = {"$ref": f"#/components/schemas/{name}"}
        valid, invalid = data.get("valid", []), data.get("invalid", [])
        for i, inst in enumerate(valid):
            check(schema, inst, f"{f.name} valid[{i}] ({name})")
        for i, inst in enumerate(invalid):
            check(schema, inst, f"{f.name} invalid[{i}] ({name})", expect_valid=False)
        print(f"{f.name}: {len(valid)} valid, {len(invalid)} invalid instances of {name}")

    total = 1 + len(schemas) + count + len(files)
    if failures:
        print(f"{total - len(failures)} passed, {len(failures)} failed")
        return 1
    print(f"openapi.json: valid OpenAPI 3.1; {len(schemas)} schemas, {count} examples, "
          f"{len(files)} example files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
