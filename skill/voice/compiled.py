"""The recogniser's files for one interaction model, built once and cached by the model's hash.

``compile_grammar(model_path)`` returns the files pocketsphinx loads: the grammar as JSGF (for
people to read), the same grammar as a minimal FSG (what the decoder loads, see
``automaton.py``) and a dictionary of just the grammar's words. They live under
``<cache>/<key>/``, where the key is a hash of the model file, the grammar generator's version
and the pronunciation sources; a changed model gets a new folder, so nothing stale is ever
loaded. The cache folder is ``$PRIVACY_SKILL_VOICE_CACHE``, else ``$XDG_CACHE_HOME/voice-privacy``,
else ``~/.cache/voice-privacy``. Building takes about half a second; loading a cached build,
a few milliseconds.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from skill.nlu import InteractionModelError, compile_model
from skill.voice.automaton import compile_automaton
from skill.voice.grammar import (
    GRAMMAR_VERSION,
    PRIORS,
    TOP_RULE,
    SkippedSample,
    build_grammar,
)
from skill.voice.lexicon import build_lexicon, cmudict_path
from skill.voice.phrases import Ref

__all__ = ["CompiledGrammar", "compile_grammar", "default_cache_dir"]

_FILES = ("grammar.jsgf", "grammar.fsg", "words.dict", "report.json")


@dataclass(frozen=True)
class CompiledGrammar:
    """The files the recogniser loads for one interaction model, and what could not be said."""

    folder: Path
    """Where the files are."""
    generated_words: tuple[str, ...]
    """Words CMUdict lacks, pronounced by espeak-ng's letter-to-sound rules."""
    unknown_words: tuple[str, ...]
    """Words with no pronunciation at all; phrases with them are left out."""
    skipped: tuple[SkippedSample, ...]
    """Samples the grammar leaves out, with the reason."""
    states: int
    """States of the grammar automaton."""

    @property
    def jsgf(self) -> Path:
        """The grammar in JSGF."""
        return self.folder / "grammar.jsgf"

    @property
    def fsg(self) -> Path:
        """The grammar as a minimal finite-state grammar (what the decoder loads)."""
        return self.folder / "grammar.fsg"

    @property
    def dictionary(self) -> Path:
        """Pronunciations of the grammar's words."""
        return self.folder / "words.dict"


def default_cache_dir() -> Path:
    """Where compiled grammars are kept (see the module docstring)."""
    configured = os.environ.get("PRIVACY_SKILL_VOICE_CACHE")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "voice-privacy"


def compile_grammar(model_path: Path, cache_dir: Path | None = None) -> CompiledGrammar:
    """The recogniser's files for the model at ``model_path``, from the cache when built."""
    folder = (cache_dir or default_cache_dir()) / _key(model_path)
    report = folder / "report.json"
    if all((folder / name).is_file() for name in _FILES):
        try:
            return _from_report(folder, json.loads(report.read_text(encoding="utf-8")))
        except (ValueError, KeyError, TypeError):
            pass  # a damaged report: build again
    return _build(model_path, folder)


def _key(model_path: Path) -> str:
    digest = hashlib.sha256()
    try:
        digest.update(model_path.read_bytes())
    except OSError as error:
        raise InteractionModelError(f"interaction model not readable: {model_path}") from error
    dictionary = cmudict_path()
    digest.update(f"|{GRAMMAR_VERSION}|{dictionary}|{dictionary.stat().st_size}".encode())
    digest.update(f"|espeak={shutil.which('espeak-ng') is not None}".encode())
    return digest.hexdigest()[:20]


def _build(model_path: Path, folder: Path) -> CompiledGrammar:
    compiled_model = compile_model(model_path)
    everything = build_grammar(compiled_model)
    lexicon = build_lexicon(everything.words())
    grammar = build_grammar(compiled_model, lambda word: word in lexicon.pronunciations)
    automaton = compile_automaton(Ref(TOP_RULE), grammar.rules)
    result = CompiledGrammar(
        folder=folder,
        generated_words=tuple(sorted(lexicon.generated)),
        unknown_words=tuple(sorted(lexicon.unknown)),
        skipped=tuple(grammar.skipped),
        states=automaton.states,
    )
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".building-", dir=folder.parent))
    try:
        (staging / "grammar.jsgf").write_text(grammar.jsgf(), encoding="utf-8")
        (staging / "grammar.fsg").write_text(automaton.fsg("voice", PRIORS), encoding="utf-8")
        (staging / "words.dict").write_text(lexicon.dict_text(), encoding="utf-8")
        (staging / "report.json").write_text(json.dumps(_report(result)), encoding="utf-8")
        try:
            staging.rename(folder)
        except OSError:  # another process built it first: theirs is the same
            shutil.rmtree(staging, ignore_errors=True)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return result


def _report(result: CompiledGrammar) -> dict[str, object]:
    return {
        "generated_words": list(result.generated_words),
        "unknown_words": list(result.unknown_words),
        "skipped": [asdict(s) for s in result.skipped],
        "states": result.states,
    }


def _from_report(folder: Path, report: dict[str, object]) -> CompiledGrammar:
    skipped = report["skipped"]
    generated = report["generated_words"]
    unknown = report["unknown_words"]
    states = report["states"]
    if not isinstance(skipped, list) or not isinstance(generated, list):
        raise ValueError("damaged report")
    if not isinstance(unknown, list) or not isinstance(states, int):
        raise ValueError("damaged report")
    return CompiledGrammar(
        folder=folder,
        generated_words=tuple(map(str, generated)),
        unknown_words=tuple(map(str, unknown)),
        skipped=tuple(SkippedSample(**item) for item in skipped),
        states=states,
    )
