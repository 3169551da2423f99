"""Signing requests as Alexa does, with dev material from ``privacy-skill dev-certs``."""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.hashes import SHA256

DEV_CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert.pem"


def sign(body: bytes, key: RSAPrivateKey, cert_url: str = DEV_CERT_URL) -> dict[str, str]:
    """The headers Alexa sends: the chain URL and a base64 RSA SHA-256 signature."""
    signature = key.sign(body, PKCS1v15(), SHA256())
    return {
        "SignatureCertChainUrl": cert_url,
        "Signature-256": base64.b64encode(signature).decode(),
    }


def dev_signer(directory: Path, cert_url: str = DEV_CERT_URL) -> Callable[[bytes], dict[str, str]]:
    """A signer using ``DIR/signing-key.pem``; the chain URL names ``echo-api-cert.pem``."""
    path = directory / "signing-key.pem"
    if not path.is_file():
        raise ValueError(f"{path} not found; create it with: privacy-skill dev-certs {directory}")
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, RSAPrivateKey):
        raise ValueError(f"{path} does not hold an RSA private key")
    return lambda body: sign(body, key, cert_url)
