"""A person's data as one ZIP file: the answer to an access request (GDPR Art. 15) in a
portable format (Art. 20).

The archive holds:

- ``recordings.jsonl``: one recording a line, with the fields ``privacy-skill ingest`` reads
  (``audio_file`` names the WAV inside the archive, so the unpacked folder can be ingested
  elsewhere as it is);
- ``audio/<id>.wav``: each recording's audio, exactly the bytes that were ingested;
- ``consent.jsonl``: the consent ledger, oldest first;
- ``audit.jsonl``: the audit log about the account, oldest first (never content);
- ``manifest.json``: what is inside (counts and SHA-256 of each JSONL file), when it was made,
  the policy version, the consent state and the retention in force. It is written last, so
  its counts are those of the files.

The archive is produced as a stream of chunks (``zipfile`` writes to an unseekable stream
with data descriptors): nothing holds the whole archive, and the recordings are read a page
at a time, each in its own short transaction. What arrives while an export runs is left out;
a recording deleted while it runs may lose its audio, which the manifest then lists.
The export is recorded in the audit log when it ends (``data_exported``), complete or not.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import re
import zipfile
from collections.abc import Generator, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import IO, TYPE_CHECKING, Any

from skill.services.models import AuditEvent, Channel, Recording
from skill.services.pages import PagedReader, RecordingFilter

if TYPE_CHECKING:
    from skill.services.container import Services

__all__ = ["FORMAT", "ExportSummary", "Exporter", "audio_name"]

log = logging.getLogger(__name__)

FORMAT = "voice-privacy-export"
FORMAT_VERSION = 1
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_FLUSH_BYTES = 64 * 1024

def audio_name(recording_id: str) -> str:
    """Where a recording's audio goes in the archive: ``audio/<id>.wav`` for an id that is
    safe as a file name, else ``audio/~<hash of the id>.wav`` (an id may hold '/' or '..')."""
    if _SAFE_ID.match(recording_id):
        return f"audio/{recording_id}.wav"
    digest = hashlib.sha256(recording_id.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"audio/~{digest}.wav"


def ingest_line(recording: Recording) -> dict[str, Any]:
    """A recording as an ingestion record (``recordings.jsonl``)."""
    line: dict[str, Any] = {
        "id": recording.id,
        "user_id": recording.user_id,
        "recorded_at": recording.recorded_at.isoformat(),
        "transcript": recording.transcript,
    }
    if recording.device_id is not None:
        line["device_id"] = recording.device_id
    if recording.person_id is not None:
        line["person_id"] = recording.person_id
    if recording.has_audio:
        line["audio_file"] = audio_name(recording.id)
    return line


@dataclass
class ExportSummary:
    """What one export put in its archive."""

    recordings: int = 0
    """Lines of ``recordings.jsonl``."""
    audio_files: int = 0
    """Files under ``audio/``."""
    consent_events: int = 0
    """Lines of ``consent.jsonl``."""
    audit_events: int = 0
    """Lines of ``audit.jsonl``."""
    audio_missing: list[str] = field(default_factory=list)
    """Recordings whose audio went (deleted) while the export ran."""
    complete: bool = False
    """Whether the archive was finished."""


class _Chunks(io.RawIOBase):
    """An unseekable sink that keeps what is written until it is taken."""

    def __init__(self) -> None:
        super().__init__()
        self._buffer = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._buffer += data
        return len(data)

    def pending(self) -> int:
        return len(self._buffer)

    def take(self) -> bytes:
        data = bytes(self._buffer)
        self._buffer.clear()
        return data


class Exporter:
    """Builds export archives from the services."""

    def __init__(self, services: Services):
        self.services = services
        self.reader = PagedReader(services.engine, services.keys)

    def write(
        self,
        out: IO[bytes],
        user_id: str,
        *,
        person: str | None = None,
        channel: Channel,
        by: str | None = None,
        request_id: str | None = None,
    ) -> ExportSummary:
        """Write the archive to ``out`` (the CLI's file); returns what it holds."""
        summary = ExportSummary()
        for chunk in self.chunks(
            user_id, person=person, channel=channel, by=by, request_id=request_id,
            summary=summary,
        ):  # fmt: skip
            out.write(chunk)
        return summary

    def chunks(
        self,
        user_id: str,
        *,
        person: str | None = None,
        channel: Channel,
        by: str | None = None,
        request_id: str | None = None,
        summary: ExportSummary | None = None,
    ) -> Iterator[bytes]:
        """The archive as a stream of chunks (for a streamed HTTP response). The audit
        entry is written when the stream ends, also when the reader stops early."""
        summary = summary if summary is not None else ExportSummary()
        started = datetime.now(UTC)
        try:
            yield from self._archive(user_id, person, started, summary)
            summary.complete = True
        finally:
            self._record(user_id, person, channel, by, request_id, summary)

    def _archive(
        self, user_id: str, person: str | None, started: datetime, summary: ExportSummary
    ) -> Iterator[bytes]:
        sink = _Chunks()
        which = RecordingFilter(user_id, person=person, ingested_before=started)
        digests: dict[str, str] = {}
        with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            lines = (ingest_line(o.recording) for o in self.reader.every_recording(which))
            summary.recordings, digests["recordings.jsonl"] = yield from _jsonl(
                archive, sink, "recordings.jsonl", lines, started
            )
            yield from self._audio(archive, sink, which, summary, started)
            consent = [asdict(event) for event in self._ledger(user_id, person)]
            summary.consent_events, digests["consent.jsonl"] = yield from _jsonl(
                archive, sink, "consent.jsonl", iter(consent), started
            )
            audit = (asdict(event) for event in self._audit(user_id, person))
            summary.audit_events, digests["audit.jsonl"] = yield from _jsonl(
                archive, sink, "audit.jsonl", audit, started
            )
            manifest = self._manifest(user_id, person, started, summary, digests)
            text = json.dumps(manifest, indent=2, ensure_ascii=False)
            archive.writestr(_entry("manifest.json", started), text)
        yield sink.take()

    def _audio(
        self,
        archive: zipfile.ZipFile,
        sink: _Chunks,
        which: RecordingFilter,
        summary: ExportSummary,
        started: datetime,
    ) -> Iterator[bytes]:
        store = self.services.recordings.audio
        for opened in self.reader.every_recording(which):
            if opened.audio_file is None:
                continue
            recording = opened.recording
            try:
                audio = store.open(opened.audio_file, key=opened.key, recording_id=recording.id)
            except FileNotFoundError:  # deleted since recordings.jsonl was written
                summary.audio_missing.append(recording.id)
                continue
            with archive.open(_entry(audio_name(recording.id), started), "w") as entry:
                for start in range(0, len(audio), _FLUSH_BYTES):
                    entry.write(audio[start : start + _FLUSH_BYTES])
                    if sink.pending() >= _FLUSH_BYTES:
                        yield sink.take()
            summary.audio_files += 1
            yield sink.take()

    def _ledger(self, user_id: str, person: str | None) -> list[Any]:
        events = self.services.consent.history(user_id)
        if person is None:
            return events
        # A person's export: their own decisions and the account's, not other people's.
        return [e for e in events if e.person_id in (None, person)]

    def _audit(self, user_id: str, person: str | None) -> Iterator[AuditEvent]:
        for event in self.reader.every_audit_event(user_id):
            # A person's export leaves out entries that name another person.
            named = event.details.get("person")
            if person is None or named is None or named == person:
                yield event

    def _manifest(
        self,
        user_id: str,
        person: str | None,
        started: datetime,
        summary: ExportSummary,
        digests: dict[str, str],
    ) -> dict[str, Any]:
        consent = self.services.consent
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": started.isoformat(),
            "user_id": user_id,
            "person_id": person,
            "policy_version": consent.policy.version,
            "consent": consent.state(user_id, person=person),
            "retention": self.services.retention.view(user_id, person=person).as_json(started),
            "files": {
                "recordings.jsonl": {
                    "lines": summary.recordings,
                    "sha256": digests["recordings.jsonl"],
                    "fields": "those of privacy-skill ingest; audio_file names the WAV here",
                },
                "audio/": {"files": summary.audio_files},
                "consent.jsonl": {
                    "lines": summary.consent_events,
                    "sha256": digests["consent.jsonl"],
                },
                "audit.jsonl": {
                    "lines": summary.audit_events,
                    "sha256": digests["audit.jsonl"],
                },
            },
            "audio_missing": summary.audio_missing,
            "left_out": "recordings ingested after created_at; audio deleted while the "
            "export ran (audio_missing)",
        }

    def _record(
        self,
        user_id: str,
        person: str | None,
        channel: Channel,
        by: str | None,
        request_id: str | None,
        summary: ExportSummary,
    ) -> None:
        details: dict[str, Any] = {
            "recordings": summary.recordings,
            "audio_files": summary.audio_files,
            "complete": summary.complete,
        }
        if by is not None:
            details["key"] = by
        if person is not None:
            details["person"] = person
        try:
            with self.services.engine.begin() as conn:
                self.services.audit.record(
                    conn, "data_exported", user_id=user_id, channel=channel,
                    request_id=request_id, **details,
                )  # fmt: skip
        except Exception as error:  # the archive went out: say so in the log, by type only
            log.error("could not record an export in the audit log (%s)", type(error).__name__)
            raise


def _entry(name: str, when: datetime) -> zipfile.ZipInfo:
    """An archive entry dated ``when`` (UTC), compressed."""
    info = zipfile.ZipInfo(name, date_time=when.timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _jsonl(
    archive: zipfile.ZipFile,
    sink: _Chunks,
    name: str,
    items: Iterator[dict[str, Any]],
    started: datetime,
) -> Generator[bytes, None, tuple[int, str]]:
    """Write ``items`` as the JSONL entry ``name``, yielding chunks as they fill; returns
    (lines, SHA-256 of the entry) through ``yield from``."""
    digest = hashlib.sha256()
    count = 0
    # force_zip64: the size is not known up front and may pass 4 GiB for a long history.
    with archive.open(_entry(name, started), "w", force_zip64=True) as entry:
        for item in items:
            data = (json.dumps(_jsonable(item), ensure_ascii=False) + "\n").encode("utf-8")
            entry.write(data)
            digest.update(data)
            count += 1
            if sink.pending() >= _FLUSH_BYTES:
                yield sink.take()
    yield sink.take()
    return count, digest.hexdigest()


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value
