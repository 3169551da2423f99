"""Importing flask-ask-sdk on OpenSSL 3.0.10 and later.

``flask_ask_sdk`` imports ``ask_sdk_webservice_support.verifier``, which imports
``certvalidator`` at module level, which imports ``oscrypto``. oscrypto 1.3.0
(the newest on PyPI) reads the libcrypto version with a regular expression
that cannot parse two-digit patch numbers such as "OpenSSL 3.0.19", and raises
``LibraryNotFoundError("Error detecting the version of libcrypto")`` on import.

We never use that verifier (ours, in ``verification.py``, is built on
``cryptography``), so when the real import fails for this reason we register a
placeholder ``certvalidator`` whose validator refuses to run, and import again.
Nothing in site-packages is changed, and where oscrypto works the real module
is used.
"""

from __future__ import annotations

import sys
import types
from typing import Any

WORKAROUND_ACTIVE = False
"""True once the placeholder had to be installed (for tests and the health page)."""


class _UnavailableValidator:
    """Stands in for certvalidator.CertificateValidator, which cannot load here."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError(
            "certvalidator is unavailable (oscrypto cannot read this OpenSSL version); "
            "use skill.web.verification.AlexaSignatureVerifier instead"
        )


def _install_placeholder() -> None:
    package = types.ModuleType("certvalidator")
    errors = types.ModuleType("certvalidator.errors")
    errors.ValidationError = type("ValidationError", (Exception,), {})  # type: ignore[attr-defined]
    errors.PathError = type("PathError", (Exception,), {})  # type: ignore[attr-defined]
    package.CertificateValidator = _UnavailableValidator  # type: ignore[attr-defined]
    package.errors = errors  # type: ignore[attr-defined]
    sys.modules["certvalidator"] = package
    sys.modules["certvalidator.errors"] = errors


def load_flask_ask_sdk() -> types.ModuleType:
    """``flask_ask_sdk.skill_adapter``, importable on this machine's OpenSSL."""
    global WORKAROUND_ACTIVE
    try:
        import flask_ask_sdk.skill_adapter as adapter
    except Exception as exc:
        if "libcrypto" not in str(exc):
            raise
        for name in [m for m in sys.modules if m.split(".")[0] in {"certvalidator", "oscrypto"}]:
            del sys.modules[name]
        for name in ("ask_sdk_webservice_support.verifier", "flask_ask_sdk.skill_adapter"):
            sys.modules.pop(name, None)
        _install_placeholder()
        WORKAROUND_ACTIVE = True
        import flask_ask_sdk.skill_adapter as adapter
    module: types.ModuleType = adapter
    return module
