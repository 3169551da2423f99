"""AES-256-GCM, as the store uses it: content sealed under a recording's data key, data keys
sealed (wrapped) under the master key, and audio files sealed as a stream of chunks.

Every ciphertext is bound to what it belongs to through the associated data: the purpose
(``transcript``, ``annotation``, ``audio``, ``data-key``) and the id of its recording or key.
Moved to another row or another field, it no longer opens. Nonces are random (96 bits) under
keys that each seal a handful of values, far from GCM's limits.

``cryptography`` is imported on first use, not at import: answering "what data do you keep"
never seals or opens anything and so never loads it.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import repeat
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

__all__ = [
    "AUDIO_MAGIC",
    "KEY_BYTES",
    "TooLarge",
    "Unreadable",
    "aead",
    "new_key",
    "open_stream",
    "open_text",
    "seal",
    "seal_many",
    "seal_stream",
    "seal_text",
    "seal_texts",
    "unseal",
]

KEY_BYTES = 32
"""AES-256."""
NONCE_BYTES = 12
TAG_BYTES = 16
CHUNK_BYTES = 64 * 1024
"""Plaintext bytes per sealed audio chunk: files are sealed and opened in flat memory."""
AUDIO_MAGIC = b"VPA1"
"""The first bytes of every sealed audio file (format 1: chunked AES-256-GCM)."""
_CONTEXT = b"voice-privacy/1"


class Unreadable(ValueError):
    """A ciphertext does not open with the key given: another key, another recording or
    field, or changed bytes."""


class TooLarge(ValueError):
    """A stream is longer than the limit it was sealed with."""


def new_key() -> bytes:
    """A fresh random data key."""
    return os.urandom(KEY_BYTES)


def aead(key: bytes) -> AESGCM:
    """An AES-256-GCM cipher for ``key`` (imports ``cryptography`` on first use)."""
    cipher = _AEAD[0] if _AEAD else _load_aead()  # one cipher a recording: keep this cheap
    return cipher(key)


_AEAD: list[type[AESGCM]] = []


def _load_aead() -> type[AESGCM]:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    _AEAD.append(AESGCM)
    return AESGCM


def associated(purpose: str, ident: str) -> bytes:
    """The associated data binding a ciphertext to its purpose and owner's id."""
    return b"\0".join((_CONTEXT, purpose.encode(), ident.encode("utf-8", "surrogatepass")))


def seal(cipher: AESGCM, plaintext: bytes, purpose: str, ident: str) -> bytes:
    """``nonce || ciphertext || tag``."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + cipher.encrypt(nonce, plaintext, associated(purpose, ident))


def seal_many(
    cipher: AESGCM, plaintexts: Sequence[bytes], purpose: str, idents: Sequence[str]
) -> list[bytes]:
    """:func:`seal` of each plaintext under one cipher, ``idents[i]`` naming the ``i``-th:
    the nonces come from one read of the system's random source, not one a value (a large
    ingest wraps a data key per recording)."""
    return _seal_each(repeat(cipher.encrypt), plaintexts, purpose, idents)


def _seal_each(
    encrypts: Iterable[Callable[[bytes, bytes, bytes], bytes]],
    plaintexts: Sequence[bytes],
    purpose: str,
    idents: Sequence[str],
) -> list[bytes]:
    """:func:`seal` of ``plaintexts[i]`` by the ``i``-th of ``encrypts`` (an AES-GCM
    ``encrypt``; as many as the plaintexts, or endless), the nonces from one read of the
    random source."""
    if len(plaintexts) != len(idents):
        raise ValueError("as many idents as plaintexts are needed")
    nonces = os.urandom(NONCE_BYTES * len(plaintexts))
    head = associated(purpose, "")
    sealed = []
    for start, encrypt, plaintext, ident in zip(
        range(0, len(nonces), NONCE_BYTES), encrypts, plaintexts, idents, strict=False
    ):
        nonce = nonces[start : start + NONCE_BYTES]
        ad = head + ident.encode("utf-8", "surrogatepass")
        sealed.append(nonce + encrypt(nonce, plaintext, ad))
    return sealed


def unseal(cipher: AESGCM, blob: bytes, purpose: str, ident: str) -> bytes:
    """The plaintext of :func:`seal`'s output; ``Unreadable`` when it does not open."""
    from cryptography.exceptions import InvalidTag

    if len(blob) < NONCE_BYTES + TAG_BYTES:
        raise Unreadable("ciphertext too short")
    try:
        return cipher.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], associated(purpose, ident))
    except InvalidTag:
        raise Unreadable(f"{purpose} of {ident!r} does not open with this key") from None


def seal_text(key: bytes, text: str, purpose: str, recording_id: str) -> str:
    """``text`` sealed under ``key``, as base64 text for a text column."""
    blob = seal(aead(key), text.encode("utf-8"), purpose, recording_id)
    return base64.b64encode(blob).decode("ascii")


def seal_texts(
    keys: Sequence[bytes], texts: Sequence[str], purpose: str, recording_ids: Sequence[str]
) -> list[str]:
    """:func:`seal_text` of ``texts[i]`` under ``keys[i]`` for ``recording_ids[i]``, for a
    batch of rows at once (one read of the random source for all the nonces)."""
    cipher = _AEAD[0] if _AEAD else _load_aead()
    if len(keys) != len(texts):
        raise ValueError("as many keys as texts are needed")
    blobs = _seal_each(
        (cipher(key).encrypt for key in keys),
        [text.encode("utf-8") for text in texts],
        purpose,
        recording_ids,
    )
    return [base64.b64encode(blob).decode("ascii") for blob in blobs]


def open_text(key: bytes, sealed: str, purpose: str, recording_id: str) -> str:
    """The text :func:`seal_text` sealed."""
    try:
        blob = base64.b64decode(sealed.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise Unreadable(f"{purpose} of {recording_id!r} is not sealed text") from None
    return unseal(aead(key), blob, purpose, recording_id).decode("utf-8")


# -- audio streams ---------------------------------------------------------------
# A sealed file: AUDIO_MAGIC, an 8-byte random nonce prefix, then chunks. Chunk i is sealed
# with nonce prefix || i (4 bytes) and associated data naming the recording, i, and whether
# it is the last chunk, so a truncated, reordered or spliced file does not open.


def _chunk_ad(recording_id: str, index: int, last: bool) -> str:
    return f"{recording_id}\0{index}\0{int(last)}"


def seal_stream(
    key: bytes, recording_id: str, source: IO[bytes], target: IO[bytes], limit: int | None
) -> int:
    """Seal ``source`` into ``target``; returns the plaintext length. Raises ``TooLarge``
    as soon as more than ``limit`` bytes were read."""
    cipher = aead(key)
    prefix = os.urandom(8)
    target.write(AUDIO_MAGIC + prefix)
    total = 0
    index = 0
    chunk = source.read(CHUNK_BYTES)
    while True:
        following = source.read(CHUNK_BYTES) if len(chunk) == CHUNK_BYTES else b""
        total += len(chunk)
        if limit is not None and total > limit:
            raise TooLarge(f"more than {limit} bytes")
        last = not following
        nonce = prefix + index.to_bytes(4, "big")
        ad = associated("audio", _chunk_ad(recording_id, index, last))
        target.write(cipher.encrypt(nonce, chunk, ad))
        if last:
            return total
        chunk = following
        index += 1


def open_stream(key: bytes, recording_id: str, source: IO[bytes]) -> Iterator[bytes]:
    """The plaintext chunks of a file :func:`seal_stream` wrote; ``Unreadable`` if it was
    sealed under another key or for another recording, changed or cut short."""
    from cryptography.exceptions import InvalidTag

    cipher = aead(key)
    head = source.read(len(AUDIO_MAGIC) + 8)
    if len(head) != len(AUDIO_MAGIC) + 8 or not head.startswith(AUDIO_MAGIC):
        raise Unreadable(f"audio of {recording_id!r} is not a sealed file")
    prefix = head[len(AUDIO_MAGIC) :]
    size = CHUNK_BYTES + TAG_BYTES
    block = source.read(size)
    index = 0
    while True:
        following = source.read(size) if len(block) == size else b""
        last = not following
        if len(block) < TAG_BYTES:
            raise Unreadable(f"audio of {recording_id!r} is cut short")
        nonce = prefix + index.to_bytes(4, "big")
        ad = associated("audio", _chunk_ad(recording_id, index, last))
        try:
            yield cipher.decrypt(nonce, block, ad)
        except InvalidTag:
            raise Unreadable(f"audio of {recording_id!r} does not open with this key") from None
        if last:
            return
        block = following
        index += 1
