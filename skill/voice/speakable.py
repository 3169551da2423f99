"""Lint findings for speech: what the offline recogniser cannot hear as the model is written.

``speech_findings(model)`` gives ``skill.nlu.Finding`` warnings, for ``privacy-skill
lint`` to add to its own:

- ``no-pronunciation``: a word of a sample (or a custom slot value) that the CMU Pronouncing
  Dictionary lacks. The recogniser then uses espeak-ng's letter-to-sound guess, named in the
  message so it can be checked; without espeak-ng the phrases with the word cannot be heard.
- ``not-speakable``: a sample the speech grammar leaves out, because its slot type has no
  finite list of phrases (AMAZON.SearchQuery, a custom type without values).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from skill.nlu import Finding, compile_model
from skill.voice.grammar import build_grammar
from skill.voice.lexicon import build_lexicon

__all__ = ["speech_findings"]


def speech_findings(model: Mapping[str, Any] | Path, path: str = "<model>") -> list[Finding]:
    """Warnings about words and samples the offline recogniser cannot hear."""
    compiled = compile_model(model)
    grammar = build_grammar(compiled)
    lexicon = build_lexicon(grammar.words())
    where: dict[str, tuple[str | None, str | None]] = {}
    for sample in compiled.samples:
        written = " ".join(p if isinstance(p, str) else f"{{{p.name}}}" for p in sample.parts)
        for part in sample.parts:
            if isinstance(part, str):
                where.setdefault(part, (sample.intent, written))
    findings: list[Finding] = []
    for word in sorted(lexicon.generated | lexicon.unknown):
        intent, written_as = where.get(word, (None, None))
        if word in lexicon.generated:
            phones = " ".join(lexicon.pronunciations[word][0])
            message = (
                f'"{word}" is not in the CMU Pronouncing Dictionary; the recogniser uses '
                f"espeak-ng's guess {phones}: check it, or choose a common word"
            )
        else:
            message = (
                f'"{word}" is not in the CMU Pronouncing Dictionary and espeak-ng is not '
                "installed to guess it: phrases with it cannot be recognised by voice"
            )
        findings.append(Finding("warning", "no-pronunciation", message, intent, written_as, path))
    for skipped in grammar.skipped:
        findings.append(
            Finding(
                "warning",
                "not-speakable",
                f"left out of the offline speech grammar: {skipped.reason}",
                skipped.intent,
                skipped.sample,
                path,
            )
        )
    return findings
