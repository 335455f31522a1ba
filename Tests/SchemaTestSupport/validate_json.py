"""Validates a JSON instance against a JSON Schema; exit 0 when valid, 1 with every error printed otherwise.

usage: validate_json.py SCHEMA INSTANCE DRAFT   (DRAFT: 6, 7 or 2020-12)

For a FHIR Bundle that fails, each entry's resource is also validated against its own definition, so that the
message names the resource and the element instead of "is not valid under any of the given schemas".
"""
import json
import sys

import jsonschema

VALIDATORS = {
    "6": jsonschema.Draft6Validator,
    "7": jsonschema.Draft7Validator,
    "2020-12": jsonschema.Draft202012Validator,
}


def path(error):
    return "/" + "/".join(str(part) for part in error.absolute_path)


def main():
    schema_path, instance_path, draft = sys.argv[1:4]
    with open(schema_path, encoding="utf-8") as handle:
        schema = json.load(handle)
    with open(instance_path, encoding="utf-8") as handle:
        instance = json.load(handle)
    cls = VALIDATORS[draft]
    cls.check_schema(schema)
    validator = cls(schema)
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.absolute_path)))
    if not errors:
        print("valid")
        return 0
    for error in errors[:20]:
        best = jsonschema.exceptions.best_match([error])
        print(f"{path(best)}: {best.message}")
    if instance.get("resourceType") == "Bundle" and "definitions" in schema:
        for index, entry in enumerate(instance.get("entry", [])):
            resource = entry.get("resource", {})
            kind = resource.get("resourceType")
            if kind not in schema["definitions"]:
                print(f"entry {index}: unknown resourceType {kind!r}")
                continue
            sub = dict(schema)
            sub.pop("oneOf", None)
            sub["$ref"] = f"#/definitions/{kind}"
            for error in cls(sub).iter_errors(resource):
                print(f"entry {index} {kind}{path(error)}: {error.message}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
