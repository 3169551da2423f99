"""flask-ask-sdk imports on this machine's OpenSSL, without touching site-packages."""

from __future__ import annotations

import subprocess
import sys

import pytest


def test_skill_adapter_imports_in_a_fresh_interpreter() -> None:
    code = (
        "from skill.web.compat import load_flask_ask_sdk\n"
        "import skill.web.compat as compat\n"
        "adapter = load_flask_ask_sdk()\n"
        "print(adapter.SkillAdapter.__name__, compat.WORKAROUND_ACTIVE)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    name, _active = out.stdout.split()
    assert name == "SkillAdapter"


def test_the_placeholder_refuses_to_validate_anything() -> None:
    from skill.web import compat

    compat.load_flask_ask_sdk()
    if not compat.WORKAROUND_ACTIVE:
        pytest.skip("oscrypto works on this OpenSSL; the real certvalidator is in use")
    import certvalidator

    with pytest.raises(RuntimeError, match="certvalidator is unavailable"):
        certvalidator.CertificateValidator(b"")
