"""The AWS Lambda deployment ZIP: the handler, the skill's Lambda subset, and its dependencies.

Everything sits at the ZIP's root, as Lambda's Python runtime expects: ``lambda_function.py``,
the ``skill`` package (only what the handler imports: no CLI, simulator, web or voice code), and
the packages of ``lambda/requirements.txt`` installed by pip for Lambda's platform, not this
machine's. The same inputs give the same bytes: entries are sorted, timestamps fixed and
permissions normalised, so a rebuild that changes nothing uploads nothing new.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from skill.errors import ProductError

PROJECT_ROOT = Path(__file__).resolve().parents[2]
HANDLER_FILE = PROJECT_ROOT / "lambda" / "lambda_function.py"
REQUIREMENTS_FILE = PROJECT_ROOT / "lambda" / "requirements.txt"

DEFAULT_LAMBDA_PYTHON = "3.14"
"""The newest Python runtime on AWS Lambda (``python3.14``, Amazon Linux 2023). Every
dependency publishes manylinux2014 x86_64 wheels for it, SQLAlchemy's compiled one included."""
MINIMUM_PYTHON = (3, 11)
"""The oldest Python the skill's code runs on (pyproject's ``requires-python``)."""
LAMBDA_PLATFORM = "manylinux2014_x86_64"
"""Wheels for Lambda's default x86_64 architecture; manylinux2014 (glibc 2.17) runs on both
Amazon Linux 2 and Amazon Linux 2023."""
BUILD_INFO_NAME = "voice_privacy_build.json"
"""A small file at the ZIP root saying which Python and platform the dependencies are for."""
PIP_TIMEOUT = 600.0
"""Seconds pip may take to download and install the dependencies."""

SKILL_PARTS = (
    "__init__.py", "config.py", "errors.py", "startup.py", "values.py", "alexa", "services",
    "store",
)  # fmt: skip
"""What of ``skill/`` the handler needs (DESIGN.md §1: lambda → alexa → services → store)."""
SOURCE_SUFFIXES = frozenset({".py", ".mako"})
"""Source files to ship: modules, and Alembic's migration script template."""
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_UNIX = 3
_VERSION = re.compile(r"3\.(\d{1,2})")
_PIP_TAIL_LINES = 15

Progress = Callable[[str], None]


class PackagingError(ProductError):
    """A package cannot be built; the message says why and what to do."""


@dataclass(frozen=True)
class LambdaZipReport:
    """What :func:`build_lambda_zip` wrote."""

    path: Path
    """The ZIP file."""
    size: int
    """Its size in bytes (Lambda takes up to 50 MB zipped for a direct upload)."""
    python_version: str
    """The Lambda Python runtime the dependencies were installed for, e.g. ``3.14``."""
    packages: list[str]
    """Top-level import names included: ``skill`` and every dependency, sorted."""
    bytecode: bool = False
    """Whether the ZIP holds precompiled bytecode (only when built by the runtime's Python)."""


def validate_python_version(version: str) -> str:
    """Return ``version`` if it names a Lambda Python runtime we can target (``3.11`` or newer)."""
    match = _VERSION.fullmatch(version)
    if match is None:
        raise PackagingError(
            f"Python version {version!r} is not of the form 3.X "
            f"(e.g. {DEFAULT_LAMBDA_PYTHON} for the Lambda runtime python{DEFAULT_LAMBDA_PYTHON})"
        )
    if (3, int(match.group(1))) < MINIMUM_PYTHON:
        oldest = ".".join(map(str, MINIMUM_PYTHON))
        raise PackagingError(f"Python {version} is too old: the skill needs {oldest} or newer")
    return version


def lambda_sources() -> list[tuple[str, Path]]:
    """The project files the Lambda function needs, as (path inside the package, file)."""
    if not HANDLER_FILE.is_file():
        raise PackagingError(
            f"{HANDLER_FILE} is missing: packaging runs from a source checkout of the project"
        )
    sources = [("lambda_function.py", HANDLER_FILE)]
    skill_dir = PROJECT_ROOT / "skill"
    for part in SKILL_PARTS:
        path = skill_dir / part
        files = [path] if path.is_file() else sorted(path.rglob("*"))
        for file in files:
            if _is_source(file):
                sources.append((file.relative_to(PROJECT_ROOT).as_posix(), file))
    return sorted(sources)


def build_lambda_zip(
    output: Path,
    python_version: str = DEFAULT_LAMBDA_PYTHON,
    progress: Progress | None = None,
    *,
    deps_cache: Path | None = None,
    requirements: Path | None = None,
    pip_timeout: float = PIP_TIMEOUT,
) -> LambdaZipReport:
    """Write the Lambda deployment ZIP to ``output`` and say what is in it.

    ``deps_cache``, when given, keeps the installed dependencies in a folder keyed by the
    requirements, Python version and platform, so a rebuild skips pip.
    """
    say = progress or (lambda _message: None)
    validate_python_version(python_version)
    requirements = requirements or REQUIREMENTS_FILE
    if not requirements.is_file():
        raise PackagingError(f"{requirements} is missing: it lists the Lambda dependencies")
    sources = lambda_sources()
    info = _build_info(python_version, requirements)
    with tempfile.TemporaryDirectory(prefix="lambda-deps-") as scratch:
        if deps_cache is None:
            deps = Path(scratch) / "deps"
            _install(deps, python_version, requirements, pip_timeout, say)
        else:
            deps = _cached_install(deps_cache, python_version, requirements, pip_timeout, say)
        dependencies = list(_tree_files(deps))
        _refuse_clashes(dependencies)
        entries: list[tuple[str, Path | bytes]] = [*sources, *dependencies, (BUILD_INFO_NAME, info)]
        why_not = no_bytecode_reason(python_version)
        bytecode = why_not is None
        if why_not is None:
            say(f"precompiling bytecode for Python {python_version}")
            entries += list(_bytecode([*sources, *dependencies]))
        else:
            say(why_not)
        say(f"writing {output} ({len(entries)} files)")
        write_deterministic_zip(output, entries)  # while the installed files still exist
    size = output.stat().st_size
    say(f"wrote {output}: {size / 1_000_000:.1f} MB for the python{python_version} runtime")
    names = [name for name, _ in entries]
    return LambdaZipReport(output, size, python_version, _top_level_packages(names), bytecode)


def running_python() -> str:
    """This interpreter's version as a Lambda runtime names it: ``3.11``."""
    return f"{sys.version_info.major}.{sys.version_info.minor}"


def no_bytecode_reason(python_version: str) -> str | None:
    """Why a ZIP for ``python_version`` cannot hold bytecode, or None when it can: bytecode is
    specific to a Python version, and only this interpreter's can be made here."""
    if python_version == running_python():
        return None
    return (
        f"no precompiled bytecode: this is Python {running_python()} and the runtime is "
        f"{python_version} (build with Python {python_version} for faster cold starts)"
    )


def _bytecode(files: Iterable[tuple[str, Path]]) -> Iterator[tuple[str, bytes]]:
    """``__pycache__`` entries for every module, as unchecked hash-based pycs (PEP 552).

    Lambda's code folder is read-only, so without them every cold start compiles every module
    it imports. Hash-based, unchecked: the interpreter uses them without comparing the source's
    modification time, which a ZIP normalised to 1980 would not match anyway. They are compiled
    in a fresh interpreter, in name order, with a fixed hash seed: marshal's output depends on
    the interpreter's state, and the ZIP must come out the same bytes every time.
    """
    modules = sorted((name, source) for name, source in files if name.endswith(".py"))
    with tempfile.TemporaryDirectory(prefix="pyc-") as scratch:
        plan = Path(scratch) / "plan.json"
        jobs = [
            (str(source), str(Path(scratch) / f"{i}.pyc"), name)
            for i, (name, source) in enumerate(modules)
        ]
        plan.write_text(json.dumps(jobs))
        env = {"PYTHONHASHSEED": "0", "PATH": os.environ.get("PATH", "")}
        subprocess.run(
            [sys.executable, "-I", "-c", _COMPILE, str(plan)], check=True, env=env, timeout=600
        )
        for (name, _), (_, target, _) in zip(modules, jobs, strict=True):
            compiled = Path(target)
            if compiled.is_file():  # else not Python this interpreter reads (skipped)
                yield importlib.util.cache_from_source(name), compiled.read_bytes()


_COMPILE = """
import json, py_compile, sys
for source, target, name in json.load(open(sys.argv[1])):
    try:
        py_compile.compile(source, cfile=target, dfile=name, doraise=True,
                           invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
    except py_compile.PyCompileError:
        pass
"""


def read_build_info(zip_path: Path) -> dict[str, object]:
    """The build information inside a ZIP from :func:`build_lambda_zip`."""
    try:
        with zipfile.ZipFile(zip_path) as archive:
            data = json.loads(archive.read(BUILD_INFO_NAME))
    except (OSError, KeyError, zipfile.BadZipFile, ValueError) as exc:
        raise PackagingError(
            f"{zip_path} is not a Lambda ZIP from `privacy-skill package-lambda`: {exc}"
        ) from exc
    if not isinstance(data, dict):
        raise PackagingError(f"{zip_path}: {BUILD_INFO_NAME} is not a JSON object")
    return data


def write_deterministic_zip(output: Path, entries: Iterable[tuple[str, Path | bytes]]) -> None:
    """Write a ZIP whose bytes depend only on the entries' names, contents and exec bits."""
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    try:
        with zipfile.ZipFile(partial, "w") as archive:
            for name, content in sorted(entries, key=lambda entry: entry[0]):
                info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.create_system = _UNIX
                executable = isinstance(content, Path) and os.stat(content).st_mode & 0o111
                info.external_attr = (0o100755 if executable else 0o100644) << 16
                data = content.read_bytes() if isinstance(content, Path) else content
                archive.writestr(info, data)
        os.replace(partial, output)
    finally:
        partial.unlink(missing_ok=True)


def _cached_install(
    cache: Path, python_version: str, requirements: Path, timeout: float, say: Progress
) -> Path:
    key = hashlib.sha256(
        b"\0".join([requirements.read_bytes(), python_version.encode(), LAMBDA_PLATFORM.encode()])
    ).hexdigest()[:16]
    target = cache / f"py{python_version}-{LAMBDA_PLATFORM}-{key}"
    if target.is_dir():
        say(f"reusing the dependencies installed in {target}")
        return target
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="installing-", dir=cache) as scratch:
        staging = Path(scratch) / "deps"
        _install(staging, python_version, requirements, timeout, say)
        try:
            staging.rename(target)
        except OSError:
            if not target.is_dir():  # else a concurrent build cached the same thing first
                raise
    return target


def _install(
    target: Path, python_version: str, requirements: Path, timeout: float, say: Progress
) -> None:
    """pip-install ``requirements`` into ``target`` for Lambda's platform, then prune it."""
    say(f"installing the Lambda dependencies for python{python_version} ({LAMBDA_PLATFORM})")
    command = [
        sys.executable, "-m", "pip", "install",
        "--disable-pip-version-check", "--no-input", "--progress-bar", "off",
        "--no-compile",  # bytecode would be for this interpreter, not the runtime's Python
        "--target", str(target),
        "--platform", LAMBDA_PLATFORM, "--implementation", "cp",
        "--python-version", python_version, "--only-binary=:all:",
        "-r", str(requirements),
    ]  # fmt: skip
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise PackagingError(
            f"pip did not finish within {timeout:.0f} s installing the Lambda dependencies; "
            "check the network connection to the package index"
        ) from exc
    if result.returncode != 0:
        tail = "\n".join(result.stderr.strip().splitlines()[-_PIP_TAIL_LINES:])
        raise PackagingError(
            f"pip could not install {requirements.name} for python{python_version} "
            f"({LAMBDA_PLATFORM}, wheels only; exit {result.returncode}):\n{tail}"
        )
    _prune(target)


def _prune(tree: Path) -> None:
    """Drop what Lambda never runs: console scripts, bytecode, and dependencies' test suites."""
    shutil.rmtree(tree / "bin", ignore_errors=True)
    for path in sorted(tree.rglob("*"), reverse=True):  # children before their folders
        if path.is_dir() and (path.name == "__pycache__" or _is_test_suite(path, tree)):
            shutil.rmtree(path)
        elif path.is_file() and path.suffix == ".pyc":
            path.unlink()


def _is_test_suite(folder: Path, tree: Path) -> bool:
    """A ``tests`` folder inside an installed package (never a top-level package itself)."""
    return (
        folder.name in ("tests", "test")
        and folder.parent != tree
        and not folder.parent.name.endswith(".dist-info")
    )


def _refuse_clashes(dependencies: Iterable[tuple[str, Path]]) -> None:
    """A dependency must not bring its own ``skill`` package or a file of ours."""
    ours = ("skill", "lambda_function.py", BUILD_INFO_NAME)
    clashes = sorted(name for name, _ in dependencies if name.split("/")[0] in ours)
    if clashes:
        raise PackagingError(f"a dependency would overwrite the skill's own files: {clashes[:5]}")


def _tree_files(root: Path) -> Iterator[tuple[str, Path]]:
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            yield path.relative_to(root).as_posix(), path


def _is_source(path: Path) -> bool:
    return path.is_file() and path.suffix in SOURCE_SUFFIXES and "__pycache__" not in path.parts


def _build_info(python_version: str, requirements: Path) -> bytes:
    lines = [line.strip() for line in requirements.read_text().splitlines()]
    info = {
        "python_version": python_version,
        "platform": LAMBDA_PLATFORM,
        "requirements": [line for line in lines if line and not line.startswith("#")],
    }
    return (json.dumps(info, indent=2, sort_keys=True) + "\n").encode()


def _top_level_packages(names: Iterable[str]) -> list[str]:
    packages = set()
    for name in names:
        first, _, rest = name.partition("/")
        if rest:
            if not first.endswith((".dist-info", ".data")):
                packages.add(first)
        elif first.endswith((".py", ".so")) and first != "lambda_function.py":
            packages.add(first.split(".")[0])
    return sorted(packages)
