"""The OpenAPI document and the implementation describe the same API: the same paths and
methods, served as written, OpenAPI 3.1 with every reference resolving."""

from __future__ import annotations

import json
import re
from typing import Any

import schemathesis

from skill.config import Config
from skill.services import Services
from skill.web.api import PREFIX
from skill.web.api.openapi import document
from skill.web.app import create_app
from tests.api.conftest import Client
from tests.web.conftest import Served


def test_every_route_is_documented_and_every_documented_operation_exists(
    config: Config, services: Services
) -> None:
    app = create_app(config, services, verify=False)
    routes = {
        (re.sub(r"<([a-z_]+)>", r"{\1}", rule.rule.removeprefix(PREFIX)), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
        for method in rule.methods or ()
        if method not in ("HEAD", "OPTIONS")
    }
    documented = {
        (path, method)
        for path, operations in document()["paths"].items()
        for method in operations
        if method != "parameters"
    }
    assert routes == documented


def test_the_served_document_is_the_written_one(served: Served) -> None:
    reply = Client(served, None).get("/openapi.json")
    assert reply.status == 200
    assert reply.json == json.loads(json.dumps(document()))
    assert reply.json["openapi"] == "3.1.0"


def test_the_document_loads_and_every_reference_resolves() -> None:
    spec = document()
    schema = schemathesis.openapi.from_dict(spec)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 10

    def refs(node: Any) -> list[str]:
        if isinstance(node, dict):
            own = [node["$ref"]] if "$ref" in node else []
            return own + [r for v in node.values() for r in refs(v)]
        if isinstance(node, list):
            return [r for v in node for r in refs(v)]
        return []

    for ref in refs(spec):
        target: Any = spec
        for part in ref.removeprefix("#/").split("/"):
            target = target[part]
        assert isinstance(target, dict), ref


def test_every_scoped_operation_says_its_scope_and_answers_401_403_429_503() -> None:
    for path, operations in document()["paths"].items():
        for method, operation in operations.items():
            if method == "parameters" or operation.get("security") == []:
                continue
            assert operation["x-scope"] in operation["summary"], (path, method)
            assert {"400", "401", "403", "429", "503"} <= set(operation["responses"])
