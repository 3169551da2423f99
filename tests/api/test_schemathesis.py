"""schemathesis against a served instance, from its own ``/api/v1/openapi.json``: for every
operation, generated requests (schema-valid and schema-invalid) with a key that has every
scope; no answer is a 5xx, every answer conforms to the document (status, content type,
headers, body schema), and every schema-invalid request is refused with a 4xx.

The examples are bounded (``EXAMPLES`` per operation and mode, derandomized, no shrinking)
so the run stays well under a minute on two cores. (schemathesis' own pytest plugin does not
run under this pytest, so each operation's strategy is driven by Hypothesis directly.)
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.config._checks import (
    NEGATIVE_DATA_REJECTION_EXPECTED_STATUSES,
    NegativeDataRejectionConfig,
)
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from skill.web.api.openapi import document
from tests.api.conftest import Client
from tests.web.conftest import Served

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "30"))
CASES = sorted(
    (operation["operationId"], mode)
    for methods in document()["paths"].values()
    for operation in methods.values()
    if isinstance(operation, dict)
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    # An operation without parameters or body has nothing to get wrong.
    if mode is GenerationMode.POSITIVE or operation.get("security") != []
)


@pytest.fixture(scope="module")
def api_schema(served: Served) -> Any:
    """The document as the server serves it."""
    schema = schemathesis.openapi.from_url(served.url + "/api/v1/openapi.json")
    schema.config.update(base_url=served.url + "/api/v1")
    # The key is sent with every request (below); what a missing or bad key gets is
    # tests/api/test_auth.py's business, so no case leaves the header out or garbles it.
    schema.config.generation.update(with_security_parameters=False)
    # A request line over 4 KiB is refused by the server before the app (414), as is a
    # body over its limit (413): refusals too, as documented.
    # (5xx is not a refusal here: not_a_server_error fails every one anyway.)
    refused = [*NEGATIVE_DATA_REJECTION_EXPECTED_STATUSES, "413", "414"]
    schema.config.checks.negative_data_rejection = NegativeDataRejectionConfig(
        expected_statuses=[status for status in refused if status != "5xx"]
    )
    return schema


@pytest.mark.parametrize(("operation_id", "mode"), CASES, ids=[f"{o}-{m.value}" for o, m in CASES])
def test_every_answer_conforms_and_none_is_a_server_error(
    api_schema: Any, admin: Client, operation_id: str, mode: GenerationMode
) -> None:
    operation = api_schema.find_operation_by_id(operation_id)
    checks = CHECKS + ([negative_data_rejection] if mode is GenerationMode.NEGATIVE else [])
    headers = {"Authorization": f"Bearer {admin.key}"}

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=checks, timeout=30)

    run()
