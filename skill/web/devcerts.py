"""Local signing material, so signed requests can be tested end to end offline.

``privacy-skill dev-certs DIR`` writes a private CA (``ca.pem``, ``ca-key.pem``),
a signing key (``signing-key.pem``) and its certificate chain
(``echo-api-cert.pem``: the leaf for ``echo-api.amazon.com``, then the CA).
``serve --dev-trust DIR`` trusts only that CA; the simulator's ``--sign DIR``
signs requests with that key. The certificates follow the Web PKI profile that
the production verifier enforces (key usages, SAN, key identifiers).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CHAIN_FILE = "echo-api-cert.pem"
DEV_CERT_URL = f"https://s3.amazonaws.com/echo.api/{CHAIN_FILE}"
ALEXA_SAN = "echo-api.amazon.com"


@dataclass(frozen=True)
class Authority:
    """A certificate authority: its certificate and private key."""

    cert: x509.Certificate
    """The self-signed CA certificate."""
    key: rsa.RSAPrivateKey
    """Its signing key."""


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def new_authority(name: str = "Voice Privacy Dev CA", days: int = 3650) -> Authority:
    """A self-signed CA valid from an hour ago for ``days``."""
    key = new_key()
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Authority(cert, key)


def issue_leaf(
    authority: Authority,
    key: rsa.RSAPrivateKey,
    *,
    san: str = ALEXA_SAN,
    not_before: datetime | None = None,
    not_after: datetime | None = None,
) -> x509.Certificate:
    """A signing certificate for ``san``, issued by ``authority``."""
    now = datetime.now(UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, san)]))
        .issuer_name(authority.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or now - timedelta(hours=1))
        .not_valid_after(not_after or now + timedelta(days=365))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(san)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=True,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(authority.key.public_key()),
            critical=False,
        )
        .sign(authority.key, hashes.SHA256())
    )


def pem(*certs: x509.Certificate) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


def key_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def write_dev_certs(directory: Path) -> list[Path]:
    """Write the CA, the signing key and its chain into ``directory``; returns the files."""
    directory.mkdir(parents=True, exist_ok=True)
    authority = new_authority()
    signing_key = new_key()
    leaf = issue_leaf(authority, signing_key)
    files = {
        "ca.pem": pem(authority.cert),
        "ca-key.pem": key_pem(authority.key),
        "signing-key.pem": key_pem(signing_key),
        CHAIN_FILE: pem(leaf, authority.cert),
    }
    written = []
    for name, data in files.items():
        path = directory / name
        path.write_bytes(data)
        if name.endswith("key.pem"):
            os.chmod(path, 0o600)
        written.append(path)
    return written
