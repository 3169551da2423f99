"""Adapt pocketsphinx's en-us acoustic model to espeak-ng speech (MAP): ``skill/voice/acoustic``.

    python bench/adapt_acoustic.py [--out skill/voice/acoustic] [--keep DIR] [--passes 2]

Needs Debian's ``sphinxtrain`` (``bw``, ``map_adapt``, ``mk_s2sendump``), ``sphinxbase-utils``
(``sphinx_fe``) and ``pocketsphinx`` (``pocketsphinx_mdef_convert``), and espeak-ng. Installing
the product needs none of them: the adapted files (means, variances, mixture weights as a
``sendump``, transition matrices: 3.6 MB) are committed, and the recogniser loads them over the
bundled model (``skill.voice.recognise.ACOUSTIC_MODEL``). Run this again when the adaptation
data or the recogniser's audio preparation changes; it writes the same files every time (fixed
seeds, deterministic tools), about 15 minutes on two shared cores.

Data: only the **tuning** variants of ``bench/speech_conditions.py`` (index % 5 == 1), with every
English voice: never a test or bench variant, so the matrix's held-out figures stay held out.
Each voice and variant says ``--per-combo`` sentences drawn at random from the interaction
model's speech grammar (fixed seed), at the matrix's rates and pitches and 50, clean or with 20
or 15 dB white noise, prepared exactly as the recogniser prepares audio (dither, padding, quiet
noise: ``skill.voice.recognise.prepared``).

Steps (the CMU Sphinx adaptation recipe): features with ``sphinx_fe`` and the model's own
``feat.params``; the model's binary mdef as text; its mixture weights, which pocketsphinx ships
only quantised (``sendump``), expanded back to sphinxtrain's float format; then ``--passes``
rounds of Baum-Welch statistics (``bw``, on the sentences' words with the grammar's
pronunciations) and MAP re-estimation (``map_adapt``) of means, variances, mixture weights and
transition matrices, each round starting from the last; ``mk_s2sendump`` quantises the weights
back for pocketsphinx.
"""

from __future__ import annotations

import argparse
import math
import random
import shutil
import struct
import subprocess
import sys
import tempfile
from itertools import cycle
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script
    sys.path.insert(0, str(ROOT))

from bench.speech_conditions import (  # noqa: E402
    english_voices,
    split_of,
    variants,
    voice_name,
)
from skill.nlu import MODELS_DIR, compile_model  # noqa: E402
from skill.voice.grammar import build_grammar  # noqa: E402
from skill.voice.lexicon import build_lexicon  # noqa: E402
from skill.voice.recognise import prepared  # noqa: E402
from skill.voice.speech_out import Voice, synthesise  # noqa: E402
from skill.voice.wavio import Audio, with_noise, write_wav  # noqa: E402

DEFAULT_OUT = ROOT / "skill" / "voice" / "acoustic"
SEED = 1717
SPHINXTRAIN = Path("/usr/lib/sphinxtrain")
TOOLS = {
    "bw": SPHINXTRAIN / "bw",
    "map_adapt": SPHINXTRAIN / "map_adapt",
    "mk_s2sendump": SPHINXTRAIN / "mk_s2sendump",
    "sphinx_fe": Path("sphinx_fe"),
    "pocketsphinx_mdef_convert": Path("pocketsphinx_mdef_convert"),
}
LEVELS: tuple[float | None, ...] = (None, 20.0, 15.0)
ADAPT_RATES = (130, 150, 175, 200, 220)
"""Words a minute: the matrix's 140, 175 and 210 and around them."""
ADAPT_PITCHES = (20, 35, 50, 65, 80)
"""The matrix's pitches 35 and 65 and around them."""


def sentences(count: int, rng: random.Random) -> list[str]:
    """``count`` sentences of the en-US speech grammar, at random."""
    grammar = build_grammar(compile_model(MODELS_DIR / "en-US.json"))
    return [grammar.sentence(rng) for _ in range(count)]


def tuning_variants(leave_out: tuple[int, int] | None = None) -> list[str]:
    """The tuning variants, in order; ``leave_out=(k, n)`` drops every n-th from the k-th (to
    check a setting of the adaptation on tuning variants it was not adapted on)."""
    tuning = [v for i, v in enumerate(variants()) if split_of(i) == "tuning"]
    if leave_out is None:
        return tuning
    k, n = leave_out
    return [v for position, v in enumerate(tuning) if position % n != k]


def adaptation_clips(
    per_combo: int,
    leave_out: tuple[int, int] | None = None,
    levels: tuple[float | None, ...] = LEVELS,
) -> list[tuple[str, str, Audio]]:
    """(id, sentence, prepared 16 kHz audio) for every tuning variant with every voice."""
    rng = random.Random(SEED)
    tuning = tuning_variants(leave_out)
    combos = [(voice, variant) for variant in tuning for voice in english_voices()]
    texts = sentences(per_combo * len(combos), rng)
    conditions = cycle([(r, p, n) for n in levels for p in ADAPT_PITCHES for r in ADAPT_RATES])
    clips = []
    number = 0
    for voice, variant in combos:
        for _ in range(per_combo):
            rate, pitch, snr = next(conditions)
            text = texts[number]
            audio = synthesise(text, Voice(voice_name(voice, variant), rate, pitch))
            if snr is not None:
                audio = with_noise(audio, snr, seed=SEED + number)
            clips.append((f"a{number:05d}", text, prepared(audio)))
            number += 1
    return clips


def write_mixture_weights(sendump: Path, out: Path) -> None:
    """pocketsphinx's quantised mixture weights (``sendump``) as sphinxtrain's float file."""
    data = sendump.read_bytes()
    at = 0

    def word() -> int:
        nonlocal at
        (value,) = struct.unpack_from("<I", data, at)
        at += 4
        return int(value)

    word()  # title length: skip the title
    at += struct.unpack_from("<I", data, 0)[0]
    header: dict[str, str] = {}
    while True:
        length = word()
        if length == 0:
            break
        text = data[at : at + length].rstrip(b"\0").decode()
        at += length
        key, _, value = text.partition(" ")
        header[key] = value
    if int(header.get("cluster_count", "0")) != 0:
        raise ValueError("clustered sendump files are not supported")
    features = int(header.get("feature_count", "1"))
    shift = int(header.get("mixw_shift", "10"))
    codewords, pdfs = word(), word()
    # laid out [feature][codeword][pdf]; sphinxtrain wants [pdf][feature][codeword]
    weights = [[[0.0] * codewords for _ in range(features)] for _ in range(pdfs)]
    for feature in range(features):
        for codeword in range(codewords):
            row = data[at : at + pdfs]
            at += pdfs
            for pdf, byte in enumerate(row):
                weights[pdf][feature][codeword] = math.pow(1.0001, -(byte << shift))
    values: list[float] = []
    for pdf_weights in weights:
        for feature_weights in pdf_weights:
            total = sum(feature_weights)
            values.extend(w / total for w in feature_weights)
    body = struct.pack("<I", 0x11223344) + struct.pack("<3I", pdfs, features, codewords)
    body += struct.pack("<I", len(values)) + struct.pack(f"<{len(values)}f", *values)
    out.write_bytes(b"s3\nversion 1.0\nendhdr\n" + body)


def run(command: list[str], log: Path) -> None:
    with log.open("ab") as sink:
        done = subprocess.run(command, stdout=sink, stderr=subprocess.STDOUT, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{command[0]} failed (exit {done.returncode}); see {log}")


def prepare(
    work: Path,
    per_combo: int,
    leave_out: tuple[int, int] | None = None,
    levels: tuple[float | None, ...] = LEVELS,
) -> None:
    """The adaptation clips, their transcripts, dictionary and features, in ``work``."""
    log = work / "adapt.log"
    (work / "wav").mkdir(parents=True, exist_ok=True)
    clips = adaptation_clips(per_combo, leave_out, levels)
    words: set[str] = set()
    with (work / "train.fileids").open("w") as ids, (work / "train.transcription").open("w") as tr:
        for name, text, audio in clips:
            write_wav(work / "wav" / f"{name}.wav", audio)
            ids.write(f"{name}\n")
            tr.write(f"<s> {text} </s> ({name})\n")
            words.update(text.split())
    lexicon = build_lexicon(words)
    if lexicon.unknown:
        raise SystemExit(f"no pronunciation for {sorted(lexicon.unknown)}")
    (work / "words.dict").write_text(
        "".join(f"{w} {' '.join(lexicon.pronunciations[w][0])}\n" for w in sorted(words))
    )
    (work / "noisedict").write_text("<s> SIL\n</s> SIL\n<sil> SIL\n")
    print(f"{len(clips)} clips written; features...", flush=True)
    run([str(TOOLS["sphinx_fe"]), "-argfile", str(bundled() / "feat.params"), "-samprate",
         "16000", "-c", str(work / "train.fileids"), "-di", str(work / "wav"), "-do",
         str(work / "mfc"), "-ei", "wav", "-eo", "mfc", "-mswav", "yes", "-remove_silence", "no",
         "-dither", "no"], log)  # fmt: skip


def bundled() -> Path:
    from pocketsphinx import get_model_path  # type: ignore[import-untyped]

    return Path(get_model_path("en-us/en-us"))


def base_model(work: Path) -> Path:
    """The bundled model in the form sphinxtrain reads: text mdef, float mixture weights."""
    log = work / "adapt.log"
    hmm = work / "hmm0"
    hmm.mkdir(exist_ok=True)
    for name in ("means", "variances", "transition_matrices"):
        shutil.copy(bundled() / name, hmm / name)
    run([str(TOOLS["pocketsphinx_mdef_convert"]), "-text", str(bundled() / "mdef"),
         str(work / "mdef.txt")], log)  # fmt: skip
    write_mixture_weights(bundled() / "sendump", hmm / "mixture_weights")
    return hmm


def map_pass(work: Path, model: Path, number: int) -> Path:
    """Baum-Welch statistics of the clips under ``model``, and the MAP re-estimate from them."""
    log = work / "adapt.log"
    accum = work / f"accum{number}"
    out = work / f"hmm{number}"
    shutil.rmtree(accum, ignore_errors=True)
    accum.mkdir()
    out.mkdir(exist_ok=True)
    files = {"-meanfn": "means", "-varfn": "variances", "-mixwfn": "mixture_weights",
             "-tmatfn": "transition_matrices"}  # fmt: skip
    model_files = [part for flag, name in files.items() for part in (flag, str(model / name))]
    print(f"pass {number}: Baum-Welch statistics...", flush=True)
    run([str(TOOLS["bw"]), "-moddeffn", str(work / "mdef.txt"), *model_files,
         "-ts2cbfn", ".ptm.", "-feat", "1s_c_d_dd", "-svspec", "0-12/13-25/26-38",
         "-cmn", "batch", "-agc", "none", "-dictfn", str(work / "words.dict"),
         "-fdictfn", str(work / "noisedict"), "-ctlfn", str(work / "train.fileids"),
         "-lsnfn", str(work / "train.transcription"), "-cepdir", str(work / "mfc"),
         "-accumdir", str(accum), "-timing", "no"], log)  # fmt: skip
    print(f"pass {number}: MAP...", flush=True)
    mapped = [part for flag, name in files.items()
              for part in ("-map" + flag[1:], str(out / name))]  # fmt: skip
    run([str(TOOLS["map_adapt"]), "-moddeffn", str(work / "mdef.txt"), "-ts2cbfn", ".ptm.",
         *model_files, "-accumdir", str(accum), *mapped], log)  # fmt: skip
    return out


def adapt(
    work: Path,
    out: Path,
    per_combo: int,
    passes: int,
    leave_out: tuple[int, int] | None = None,
    levels: tuple[float | None, ...] = LEVELS,
) -> None:
    missing = [name for name, path in TOOLS.items() if shutil.which(str(path)) is None]
    if missing:
        raise SystemExit(
            f"missing {', '.join(missing)}: apt-get install sphinxtrain sphinxbase-utils "
            "pocketsphinx"
        )
    if not (work / "train.fileids").is_file():
        prepare(work, per_combo, leave_out, levels)
    model = base_model(work)
    for number in range(1, passes + 1):
        model = map_pass(work, model, number)
    out.mkdir(parents=True, exist_ok=True)
    for name in ("means", "variances", "transition_matrices"):
        shutil.copy(model / name, out / name)
    run([str(TOOLS["mk_s2sendump"]), "-pocketsphinx", "yes", "-moddeffn", str(work / "mdef.txt"),
         "-mixwfn", str(model / "mixture_weights"), "-sendumpfn", str(out / "sendump")],
        work / "adapt.log")  # fmt: skip
    print(f"wrote {out}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--per-combo", type=int, default=48, help="sentences per voice+variant")
    parser.add_argument("--passes", type=int, default=2, help="MAP passes")
    parser.add_argument("--keep", type=Path, help="keep the working files in this folder")
    parser.add_argument(
        "--levels",
        default=",".join("clean" if n is None else f"{n:g}" for n in LEVELS),
        help="noise levels, in turn: clean or an SNR in dB",
    )
    parser.add_argument(
        "--leave-out",
        metavar="K/N",
        help="adapt without every N-th tuning variant from the K-th (to check a setting with "
        "bench/speech_calibrate.py --only K/N); the shipped model uses them all",
    )
    args = parser.parse_args(argv)
    levels = tuple(None if x == "clean" else float(x) for x in args.levels.split(","))
    leave_out = None
    if args.leave_out:
        k, n = args.leave_out.split("/")
        leave_out = (int(k), int(n))
    settings = (args.per_combo, args.passes, leave_out, levels)
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        adapt(args.keep, args.out.resolve(), *settings)
    else:
        with tempfile.TemporaryDirectory() as work:
            adapt(Path(work), args.out.resolve(), *settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
