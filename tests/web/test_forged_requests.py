"""A corpus of forged and malformed requests over real HTTP against ``serve --dev-trust``.

Each form gets a 4xx, never a 5xx; the database is unchanged after all of them, and the server
still answers honest requests. Verified envelopes of odd shapes get a valid Alexa answer (200).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.hashes import SHA1

from skill.services import open_services
from skill.simulator.envelopes import Caller, intent_request, launch_request
from skill.simulator.signing import sign
from skill.web.devcerts import issue_leaf, new_authority, new_key, pem
from tests.conftest import OTHER_USER, USER, seed
from tests.web.conftest import DevPki, Served, start_served, stop_served

CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert.pem"
Form = Callable[[Served], bytes]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, pki: DevPki) -> Iterator[Served]:
    served = start_served(tmp_path_factory.mktemp("forged"), pki)
    services = open_services(served.config)
    now = datetime.now(UTC)
    seed(services, USER, now - timedelta(hours=1), now - timedelta(days=1))
    seed(services, OTHER_USER, now - timedelta(hours=1))
    services.close()
    yield served
    stop_served(served)


def totals(served: Served) -> tuple[int, int]:
    services = open_services(served.config)
    try:
        return services.recordings.total(USER), services.recordings.total(OTHER_USER)
    finally:
        services.close()


def delete_all(now: datetime | None = None, **caller: Any) -> dict[str, Any]:
    return intent_request(
        Caller(user_id=USER, device_id=None, **caller),
        now or datetime.now(UTC),
        "DeleteAllRecordingsIntent",
        confirmation="CONFIRMED",
    )


def http(
    body: bytes,
    headers: dict[str, str] | None = None,
    *,
    method: str = "POST",
    path: str = "/alexa",
    length: bool = True,
) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    if length:
        lines.append(f"Content-Length: {len(body)}")
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def signed(body: bytes, *, key: Any = None, cert_url: str = CERT_URL) -> Callable[[Served], bytes]:
    def build(served: Served) -> bytes:
        return http(body, sign(body, key or served.pki.key, cert_url))

    return build


def signed_event(event: dict[str, Any], **kwargs: Any) -> Form:
    return signed(json.dumps(event).encode(), **kwargs)


def with_chain(name: str, chain: Callable[[DevPki], bytes], body: bytes | None = None) -> Form:
    def build(served: Served) -> bytes:
        url = served.pki.add_chain(name, chain(served.pki))
        data = body or json.dumps(delete_all()).encode()
        return http(data, sign(data, served.pki.key, url))

    return build


def unsigned(headers: dict[str, str]) -> Form:
    body = json.dumps(delete_all()).encode()
    return lambda served: http(body, headers)


def other_key_chain(pki: DevPki) -> bytes:
    return pem(issue_leaf(pki.authority, new_key()), pki.authority.cert)


def foreign_ca_chain(pki: DevPki) -> bytes:
    foreign = new_authority("Someone Else's CA")
    return pem(issue_leaf(foreign, pki.key), foreign.cert)


def wrong_san_chain(pki: DevPki) -> bytes:
    return pem(issue_leaf(pki.authority, pki.key, san="evil.example.com"), pki.authority.cert)


def expired_chain(pki: DevPki) -> bytes:
    past = datetime.now(UTC) - timedelta(days=30)
    leaf = issue_leaf(pki.authority, pki.key, not_before=past, not_after=past + timedelta(days=1))
    return pem(leaf, pki.authority.cert)


def sha1_only(served: Served) -> bytes:
    body = json.dumps(delete_all()).encode()
    signature = base64.b64encode(served.pki.key.sign(body, PKCS1v15(), SHA1())).decode()
    return http(body, {"SignatureCertChainUrl": CERT_URL, "Signature": signature})


def altered_after_signing(served: Served) -> bytes:
    body = json.dumps(launch_request(Caller(user_id=USER), datetime.now(UTC))).encode()
    headers = sign(body, served.pki.key, CERT_URL)
    return http(json.dumps(delete_all()).encode(), headers)


def deep(levels: int) -> bytes:
    return b'{"request": ' + b"[" * levels + b"]" * levels + b"}"


def event_with(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    event = delete_all()
    place = event
    for key in path[:-1]:
        place = place[key]
    place[path[-1]] = value
    return event


GOOD = json.dumps(delete_all()).encode()
def minutes_from_now(minutes: int) -> datetime:
    return datetime.now(UTC) + timedelta(minutes=minutes)

FORMS: dict[str, Form] = {
    # No or broken signature headers.
    "no headers": unsigned({}),
    "only the chain url": unsigned({"SignatureCertChainUrl": CERT_URL}),
    "only a signature": unsigned({"Signature-256": base64.b64encode(b"x" * 256).decode()}),
    "empty signature": unsigned({"SignatureCertChainUrl": CERT_URL, "Signature-256": ""}),
    "signature not base64": unsigned({"SignatureCertChainUrl": CERT_URL, "Signature-256": "!!"}),
    "signature of zeros": unsigned(
        {"SignatureCertChainUrl": CERT_URL, "Signature-256": base64.b64encode(bytes(256)).decode()}
    ),
    "a huge signature": unsigned({"SignatureCertChainUrl": CERT_URL, "Signature-256": "A" * 6000}),
    "sha1 signature only": sha1_only,
    "body altered after signing": altered_after_signing,
    "signed with another key": lambda s: signed(GOOD, key=new_key())(s),
    # Certificate chain URL rules.
    "http chain url": signed(GOOD, cert_url="http://s3.amazonaws.com/echo.api/echo-api-cert.pem"),
    "another host": signed(GOOD, cert_url="https://evil.example.com/echo.api/echo-api-cert.pem"),
    "host suffix": signed(GOOD, cert_url="https://s3.amazonaws.com.evil.com/echo.api/x.pem"),
    "user info": signed(GOOD, cert_url="https://evil@s3.amazonaws.com:443@evil.com/echo.api/x.pem"),
    "port 8443": signed(GOOD, cert_url="https://s3.amazonaws.com:8443/echo.api/echo-api-cert.pem"),
    "bad port": signed(GOOD, cert_url="https://s3.amazonaws.com:99999/echo.api/echo-api-cert.pem"),
    "path outside": signed(GOOD, cert_url="https://s3.amazonaws.com/echo.api/../evil/cert.pem"),
    "encoded dot dot": signed(GOOD, cert_url="https://s3.amazonaws.com/echo.api/%2e%2e/x.pem"),
    "path case": signed(GOOD, cert_url="https://s3.amazonaws.com/EcHo.aPi/echo-api-cert.pem"),
    "no path": signed(GOOD, cert_url="https://s3.amazonaws.com"),
    "long url": signed(GOOD, cert_url="https://s3.amazonaws.com/echo.api/" + "a" * 3000),
    "unknown chain file": signed(GOOD, cert_url="https://s3.amazonaws.com/echo.api/none.pem"),
    "dot file": signed(GOOD, cert_url="https://s3.amazonaws.com/echo.api/.hidden"),
    # Chains that do not prove Alexa signed.
    "chain of another key": with_chain("other-key.pem", other_key_chain),
    "foreign ca": with_chain("foreign.pem", foreign_ca_chain),
    "wrong san": with_chain("wrong-san.pem", wrong_san_chain),
    "expired leaf": with_chain("expired.pem", expired_chain),
    "not pem": with_chain("junk.pem", lambda pki: b"this is not a certificate"),
    "empty chain": with_chain("empty.pem", lambda pki: b""),
    # Signed bodies that are not Alexa envelopes.
    "utf-8 bom": signed(b"\xef\xbb\xbf" + GOOD),
    "utf-16": signed(json.dumps(delete_all()).encode("utf-16")),
    "latin-1 bytes": signed(b'{"request": {"type": "\xe9"}}'),
    "not json": signed(b"delete everything"),
    "json array": signed(b"[1, 2, 3]"),
    "json string": signed(b'"LaunchRequest"'),
    "json null": signed(b"null"),
    "no request": signed(b'{"version": "1.0"}'),
    "request is a string": signed(b'{"request": "LaunchRequest"}'),
    "type is a number": signed_event(event_with(("request", "type"), 5)),
    "5000-digit number": signed(
        b'{"request": {"type": "LaunchRequest", "n": ' + b"9" * 5000 + b"}}"
    ),
    "100k-deep nesting": signed(deep(100_000)),
    "empty body": signed(b""),
    "only whitespace": signed(b"   \n"),
    # Signed envelopes outside the rules.
    "timestamp garbage": signed_event(event_with(("request", "timestamp"), "garbage")),
    "timestamp number": signed_event(event_with(("request", "timestamp"), 1764169200)),
    "timestamp empty": signed_event(event_with(("request", "timestamp"), "")),
    "timestamp missing": signed_event(event_with(("request", "timestamp"), None)),
    "timestamp epoch": signed_event(event_with(("request", "timestamp"), "1970-01-01T00:00:00Z")),
    # Stamped when sent, not when collected: a long run must not age "ahead" into "now".
    "ten minutes old": lambda s: signed_event(delete_all(minutes_from_now(-10)))(s),
    "ten minutes ahead": lambda s: signed_event(delete_all(minutes_from_now(10)))(s),
    "another skill": signed_event(delete_all(skill_id="amzn1.ask.skill.someone-else")),
    "another skill, bogus type": signed_event(
        event_with(("request", "type"), "Bogus") | {"context": {"System": {}}}
    ),
    # HTTP itself.
    "get": lambda s: http(b"", method="GET"),
    "put": lambda s: http(GOOD, method="PUT"),
    "over 1 MiB": signed(
        b'{"request": {"type": "LaunchRequest", "x": "' + b"a" * 1_100_000 + b'"}}'
    ),
    "huge header": lambda s: http(GOOD, {"X-Padding": "a" * 20_000}),
    "too many headers": lambda s: http(GOOD, {f"X-H{i}": "1" for i in range(150)}),
    "long request line": lambda s: http(GOOD, path="/alexa?" + "a" * 10_000),
    "bad content length": lambda s: http(GOOD, {"Content-Length": "-5"}, length=False),
    "two content lengths": lambda s: http(GOOD, {"Content-Length": "3"}),
    "gzip transfer coding": lambda s: http(GOOD, {"Transfer-Encoding": "gzip"}, length=False),
    "broken chunks": lambda s: http(
        b"zz\r\nabc\r\n0\r\n\r\n", {"Transfer-Encoding": "chunked"}, length=False
    ),
    "invalid header name": lambda s: http(GOOD, {"Bad Header": "1"}),
    "http/0.9": lambda s: b"POST /alexa\r\n\r\n",
    "garbage": lambda s: b"\x00\x01\x02 not http at all\r\n\r\n",
    "unknown method": lambda s: http(GOOD, method="DELETEALL"),
}


def test_the_corpus_has_at_least_sixty_forms() -> None:
    assert len(FORMS) >= 60


@pytest.mark.parametrize("name", sorted(FORMS))
def test_each_forgery_gets_a_4xx_and_changes_nothing(served: Served, name: str) -> None:
    status, body = served.raw(FORMS[name](served))
    assert 400 <= status < 500, (status, body[:200])
    assert totals(served) == (2, 1)


def test_the_server_still_answers_honest_requests_after_the_corpus(served: Served) -> None:
    for name in sorted(FORMS):
        served.raw(FORMS[name](served))
    assert served.alive()
    answer = served.endpoint().send_signed(launch_request(Caller(user_id=USER), datetime.now(UTC)))
    assert answer.status == 200
    assert answer.body["response"]["outputSpeech"]["ssml"].startswith("<speak>Voice Privacy here.")
    assert totals(served) == (2, 1)
    assert "Traceback" not in served.log_text()


@pytest.mark.parametrize(
    ("path", "value", "speech"),
    [
        (("request", "type"), "Bogus", None),
        (("request", "type"), "LaunchRequest ", None),
        (("request", "type"), "AudioPlayer.PlaybackStarted", None),
        (("request", "intent"), "DeleteAllRecordingsIntent", "Sorry, I couldn't make sense"),
        (("session", "attributes"), 5, None),
        (("context", "System", "device"), "a string", None),
    ],
)
def test_verified_envelopes_of_odd_shapes_get_a_valid_answer(
    served: Served, path: tuple[str, ...], value: Any, speech: str | None
) -> None:
    answer = served.endpoint().send_signed(event_with(path, value))
    assert answer.status == 200 and answer.body["version"] == "1.0"
    said = (answer.body["response"].get("outputSpeech") or {}).get("ssml", "")
    if speech is not None:
        assert speech in said
    assert "Done" not in said
    assert totals(served) == (2, 1)


def test_dev_trust_never_reads_outside_its_folder(served: Served, tmp_path: Path) -> None:
    secret = tmp_path / "secret.pem"
    secret.write_bytes(served.pki.directory.joinpath("echo-api-cert.pem").read_bytes())
    url = f"https://s3.amazonaws.com/echo.api/..%2f..%2f{secret}"
    status, _ = served.raw(signed(GOOD, cert_url=url)(served))
    assert status == 400
