# IPA symbols look like Latin letters on purpose: they are the phonetic alphabet espeak-ng writes.
# ruff: noqa: RUF001, RUF002
"""Pronunciations for the grammar's words: a small dictionary instead of CMUdict's 135 000 entries.

Each word comes from pocketsphinx's CMU Pronouncing Dictionary (``cmudict-en-us.dict``, every
variant it lists). A word CMUdict lacks (a product name, a coined word in a custom slot value)
gets a pronunciation from espeak-ng's own letter-to-sound rules: ``espeak-ng -q --ipa`` gives
its IPA, which ``ipa_to_arpabet`` maps onto the acoustic model's 39 phones. Such words are
reported (``Lexicon.generated``) so that ``lint`` can say which ones to check; without
espeak-ng they cannot be said at all (``Lexicon.unknown``) and the grammar leaves out the
phrases that need them.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["ARPABET", "Lexicon", "build_lexicon", "cmudict_path", "ipa_to_arpabet"]

ARPABET = frozenset(
    ("AA", "AE", "AH", "AO", "AW", "AY", "B", "CH", "D", "DH", "EH", "ER", "EY", "F", "G", "HH",
     "IH", "IY", "JH", "K", "L", "M", "N", "NG", "OW", "OY", "P", "R", "S", "SH", "T", "TH", "UH",
     "UW", "V", "W", "Y", "Z", "ZH")
)  # fmt: skip
"""The phones of pocketsphinx's en-us acoustic model (besides silence and noise)."""

# IPA as espeak-ng writes it for English, longest symbols first, to ARPAbet phones.
_IPA: dict[str, tuple[str, ...]] = {
    "tʃ": ("CH",), "dʒ": ("JH",), "eɪ": ("EY",), "aɪ": ("AY",), "ɔɪ": ("OY",), "aʊ": ("AW",),
    "oʊ": ("OW",), "əʊ": ("OW",), "ɪə": ("IH", "R"), "eə": ("EH", "R"), "ʊə": ("UH", "R"),
    "ɜː": ("ER",), "ɜ": ("ER",), "ɚ": ("ER",), "ɝ": ("ER",), "iː": ("IY",), "uː": ("UW",),
    "ɑː": ("AA",), "ɔː": ("AO",), "oː": ("AO",),
    "n̩": ("AH", "N"), "l̩": ("AH", "L"), "m̩": ("AH", "M"),
    "i": ("IY",), "ɪ": ("IH",), "ᵻ": ("IH",), "ɨ": ("IH",), "e": ("EH",), "ɛ": ("EH",),
    "æ": ("AE",), "a": ("AE",), "ɐ": ("AH",), "ə": ("AH",), "ʌ": ("AH",), "ɑ": ("AA",),
    "ɒ": ("AA",), "ɔ": ("AO",), "o": ("OW",), "ʊ": ("UH",), "u": ("UW",),
    "p": ("P",), "b": ("B",), "t": ("T",), "d": ("D",), "k": ("K",), "ɡ": ("G",), "g": ("G",),
    "f": ("F",), "v": ("V",), "θ": ("TH",), "ð": ("DH",), "s": ("S",), "z": ("Z",),
    "ʃ": ("SH",), "ʒ": ("ZH",), "h": ("HH",), "m": ("M",), "n": ("N",), "ŋ": ("NG",),
    "l": ("L",), "ɫ": ("L",), "ɹ": ("R",), "r": ("R",), "ɾ": ("D",), "w": ("W",), "j": ("Y",),
    "x": ("K",), "ʔ": (),
}  # fmt: skip
_IPA_SYMBOLS = sorted(_IPA, key=len, reverse=True)
_ESPEAK_TIMEOUT = 10.0


def cmudict_path() -> Path:
    """pocketsphinx's copy of the CMU Pronouncing Dictionary."""
    from pocketsphinx import get_model_path  # type: ignore[import-untyped]

    return Path(get_model_path()) / "en-us" / "cmudict-en-us.dict"


@dataclass
class Lexicon:
    """Pronunciations of a set of words."""

    pronunciations: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)
    """Word -> its pronunciations (ARPAbet phones), CMUdict's variants in its order."""
    generated: set[str] = field(default_factory=set)
    """Words CMUdict lacks whose pronunciation espeak-ng's letter-to-sound rules gave."""
    unknown: set[str] = field(default_factory=set)
    """Words with no pronunciation at all: they cannot be recognised."""

    def dict_text(self) -> str:
        """The lexicon in pocketsphinx's dictionary format: ``word PH ONES``, variants
        ``word(2) ...``."""
        lines: list[str] = []
        for word in sorted(self.pronunciations):
            for n, phones in enumerate(self.pronunciations[word], start=1):
                name = word if n == 1 else f"{word}({n})"
                lines.append(f"{name} {' '.join(phones)}")
        return "\n".join(lines) + "\n"


def build_lexicon(
    words: Iterable[str], cmudict: Path | None = None, espeak: str | None = "espeak-ng"
) -> Lexicon:
    """Pronunciations of ``words`` from CMUdict, else espeak-ng (None: do not use it)."""
    wanted = set(words)
    lexicon = Lexicon()
    found = _from_cmudict(wanted, cmudict or cmudict_path())
    lexicon.pronunciations.update(found)
    missing = sorted(wanted - set(found))
    binary = shutil.which(espeak) if espeak else None
    for word in missing:
        phones = _from_espeak(word, binary) if binary else None
        if phones:
            lexicon.pronunciations[word] = [phones]
            lexicon.generated.add(word)
        else:
            lexicon.unknown.add(word)
    return lexicon


def _from_cmudict(wanted: set[str], path: Path) -> dict[str, list[tuple[str, ...]]]:
    found: dict[str, list[tuple[str, ...]]] = {}
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            name, _, phones = line.partition(" ")
            word = name.split("(", 1)[0]
            if word in wanted:
                found.setdefault(word, []).append(tuple(phones.split("#", 1)[0].split()))
    return found


def _from_espeak(word: str, binary: str) -> tuple[str, ...] | None:
    try:
        done = subprocess.run(
            [binary, "-q", "--ipa", "-v", "en-us", word],
            capture_output=True,
            text=True,
            timeout=_ESPEAK_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    phones = ipa_to_arpabet(done.stdout) if done.returncode == 0 else ()
    return phones or None


def ipa_to_arpabet(ipa: str) -> tuple[str, ...]:
    """espeak-ng's IPA for English as ARPAbet phones: "həlˈoʊ" -> HH AH L OW. Stress, length
    and tie marks are dropped; a symbol with no English phone is skipped."""
    text = re.sub(r"[ˈˌˑ͡‿.\s-]", "", ipa).replace("ɜːɹ", "ɜː").replace("ɚɹ", "ɚ")
    phones: list[str] = []
    at = 0
    while at < len(text):
        for symbol in _IPA_SYMBOLS:
            if text.startswith(symbol, at):
                phones.extend(_IPA[symbol])
                at += len(symbol)
                break
        else:
            at += 1
    return tuple(phones)
