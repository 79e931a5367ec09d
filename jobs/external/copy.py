"""The verified copy: read the dump once, hash while writing, write under a temporary name,
flush to the disk, rename atomically, then read the copy back from the disk and compare.

Only a verified copy counts. The disk's SHA256SUMS manifest lists every verified file in the
format of `sha256sum`, so anyone can check the disk with standard tools:
`cd sopbot-backups && sha256sum -c SHA256SUMS`.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import os
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from core.files import create_private
from core.problems import Code, Problem, problem
from jobs.external import readback
from jobs.external.disk import MANIFEST
from jobs.external.foreign import MANIFEST_LIMIT, UnsafeFile, open_regular, plain_name, read_regular

log = logging.getLogger(__name__)

CHUNK = 4 * 1024 * 1024
PARTIAL_SUFFIX = ".partial"
# Decompressing a copy from the disk: a zstd frame names the window it needs, and the
# decompressor refuses more than this (the bot's own copies use 2 MiB at level 3; zstd's
# default limit is 128 MiB). Output goes out in pieces of OUTPUT_PIECE, never whole.
MAX_WINDOW = 32 * 1024 * 1024
OUTPUT_PIECE = 1024 * 1024
_HEX = frozenset("0123456789abcdef")

BytesDone = Callable[[int], None]
ShouldStop = Callable[[], bool]


class CopyError(Exception):
    """The copy could not be written or did not verify; nothing was counted."""

    def __init__(self, found: Problem) -> None:
        super().__init__(found.english())
        self.problem = found


class CopyStopped(Exception):
    """Told to stop: the temporary file is removed, nothing was counted."""


@dataclass(frozen=True)
class VerifiedCopy:
    path: Path
    size: int  # bytes on the external disk
    sha256: str  # of the bytes on the external disk (compressed ones when compressed)
    source_sha256: str  # of the dump as read
    compressed: bool
    encrypted: bool = False
    readback: str = ""  # how it was read back: from the disk itself, or maybe from the cache


def _drop_cache(stream: BinaryIO) -> None:
    """Ask the OS to forget the cached pages of a file, so reading it back reads the disk.

    POSIX only; elsewhere the read-back may come from the cache (still a full re-read)."""
    if hasattr(os, "posix_fadvise"):
        with contextlib.suppress(OSError):
            os.posix_fadvise(stream.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)


def _fsync_folder(folder: Path) -> None:
    """Make the rename durable; not possible (nor needed) for folders on Windows."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class _Prefetch:
    """Read a file in a background thread a few chunks ahead, into reused buffers, so reading
    overlaps the hashing and writing of the previous chunks (hashlib and file I/O release the
    GIL). Each yielded view is valid until the next one is asked for."""

    def __init__(self, stream: BinaryIO, depth: int = 3) -> None:
        self._stream = stream
        if hasattr(os, "posix_fadvise"):  # ask for a larger read-ahead (POSIX only)
            with contextlib.suppress(OSError):
                os.posix_fadvise(stream.fileno(), 0, 0, os.POSIX_FADV_SEQUENTIAL)
        self._free: queue.Queue[bytearray] = queue.Queue()
        for _ in range(depth + 1):
            self._free.put(bytearray(CHUNK))
        self._ready: queue.Queue[tuple[bytearray, int] | BaseException] = queue.Queue()
        self._thread = threading.Thread(target=self._read, name="prefetch", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        try:
            while True:
                buffer = self._free.get()
                count = self._stream.readinto(buffer)  # type: ignore[attr-defined]
                self._ready.put((buffer, count or 0))
                if not count:
                    return
        except BaseException as exc:  # handed to the consumer, raised there
            self._ready.put(exc)

    def __iter__(self) -> Iterator[memoryview]:
        while True:
            item = self._ready.get()
            if isinstance(item, BaseException):
                raise item
            buffer, count = item
            if not count:
                self._thread.join()
                return
            yield memoryview(buffer)[:count]
            self._free.put(buffer)


def hash_file(
    path: Path,
    progress: BytesDone | None = None,
    *,
    uncached: bool = False,
    should_stop: ShouldStop | None = None,
    foreign: bool = False,
    device: int | None = None,
) -> str:
    """The SHA-256 of `path`. A `foreign` file (on the external disk) is read only if it is a
    regular file (on `device`, when given): else UnsafeFile, an OSError."""
    if uncached and readback.method() is readback.ReadBack.DISK_NO_BUFFERING:  # Windows
        if foreign:  # the same refusal as below, before the unbuffered reader opens it
            open_regular(path, device=device).close()
        return readback.hash_unbuffered(path, progress, should_stop, stopped=CopyStopped)
    digest = hashlib.sha256()
    opened = open_regular(path, device=device) if foreign else path.open("rb", buffering=0)
    with opened as stream:
        if uncached:
            _drop_cache(stream)
        done = 0
        for view in _Prefetch(stream):
            digest.update(view)
            done += len(view)
            if progress:
                progress(done)
            if should_stop and should_stop():
                raise CopyStopped
    return digest.hexdigest()


class _HashingWriter:
    """A file-like sink that hashes what it writes (the compressed bytes when compressing)."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes | bytearray | memoryview) -> int:
        self.digest.update(data)
        self.size += len(data)
        return self.stream.write(data)

    def flush(self) -> None:
        self.stream.flush()


def _write_all(stream: BinaryIO, view: memoryview) -> None:
    written = 0
    while written < len(view):
        written += stream.write(view[written:]) or 0


def _pump(
    reader: BinaryIO,
    write: Callable[[memoryview], object],
    hasher: ThreadPoolExecutor,
    digest: Any,
    progress: BytesDone | None,
    should_stop: ShouldStop | None,
) -> int:
    """Read ahead, hash each chunk in the hashing thread while writing it; return bytes read."""
    done = 0
    for view in _Prefetch(reader):
        hashing = hasher.submit(digest.update, view)
        write(view)
        hashing.result()
        done += len(view)
        if progress:
            progress(done)
        if should_stop and should_stop():
            raise CopyStopped
    return done


class _Tap(io.RawIOBase):
    """The source as read once by the encryption: hashed as it passes, progress reported, a stop
    honoured between chunks."""

    def __init__(
        self,
        stream: BinaryIO,
        digest: Any,
        progress: BytesDone | None,
        should_stop: ShouldStop | None,
    ) -> None:
        self.stream, self.digest = stream, digest
        self.progress, self.should_stop = progress, should_stop
        self.done = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        count = self.stream.readinto(buffer) or 0  # type: ignore[attr-defined]
        if count:
            self.digest.update(memoryview(buffer)[:count])
            self.done += count
            if self.progress:
                self.progress(self.done)
            if self.should_stop and self.should_stop():
                raise CopyStopped
        return count


def _encrypt(
    reader: BinaryIO,
    raw: BinaryIO,
    recipients: Sequence[str],
    source_digest: Any,
    *,
    compress: bool,
    progress: BytesDone | None,
    should_stop: ShouldStop | None,
) -> _HashingWriter:
    """Stream the source (compressed first, when asked) into the age format for `recipients`;
    never the whole file in memory. Returns the sink, which hashed the encrypted bytes."""
    import pyrage

    keys = [pyrage.x25519.Recipient.from_str(r) for r in recipients]
    sink = _HashingWriter(raw)
    tap: Any = _Tap(reader, source_digest, progress, should_stop)
    if compress:
        import zstandard

        tap = zstandard.ZstdCompressor(level=3, threads=2, write_checksum=True).stream_reader(
            tap, closefd=False
        )
    pyrage.encrypt_io(tap, sink, keys)
    return sink


def copy_verified(
    source: Path,
    destination: Path,
    *,
    compress: bool = False,
    progress: BytesDone | None = None,
    should_stop: ShouldStop | None = None,
    recipients: Sequence[str] = (),
) -> VerifiedCopy:
    """Copy `source` to `destination` (".zst" appended when compressing, ".age" when encrypting
    to `recipients`) and verify it.

    The source is read once; its SHA-256 is computed in a second thread while the same chunk is
    written (or compressed), and the next chunks are read ahead in a third. On any failure the
    temporary file is removed and CopyError raised: a half-written or unverified file never
    carries the final name.
    """
    final = destination.with_name(
        destination.name + (".zst" if compress else "") + (".age" if recipients else "")
    )
    partial = final.with_name(final.name + PARTIAL_SUFFIX)
    source_digest = hashlib.sha256()
    try:
        with (
            source.open("rb", buffering=0) as reader,
            create_private(partial) as raw,
            ThreadPoolExecutor(1, thread_name_prefix="sha256") as hasher,
        ):
            if recipients:  # the copy's hash is of the encrypted bytes, as on the disk
                sink = _encrypt(
                    reader,
                    raw,
                    recipients,
                    source_digest,
                    compress=compress,
                    progress=progress,
                    should_stop=should_stop,
                )
                size = sink.size
            elif compress:
                import zstandard

                sink = _HashingWriter(raw)  # the copy's hash is of the compressed bytes
                # Two threads: as fast as the disk on the office server, and a bounded footprint
                # (threads=-1 took one buffer per core).
                compressor = zstandard.ZstdCompressor(level=3, threads=2, write_checksum=True)
                with compressor.stream_writer(sink, closefd=False) as writer:  # type: ignore[arg-type]
                    _pump(reader, writer.write, hasher, source_digest, progress, should_stop)
                size = sink.size
            else:
                size = _pump(
                    reader,
                    lambda view: _write_all(raw, view),
                    hasher,
                    source_digest,
                    progress,
                    should_stop,
                )
            os.fsync(raw.fileno())
        os.replace(partial, final)
        _fsync_folder(final.parent)
    except CopyStopped:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise
    except OSError as exc:
        with contextlib.suppress(OSError):
            partial.unlink()
        why = exc.strerror or str(exc)
        raise CopyError(problem(Code.COPY_WRITE_FAILED, file=final.name, why=why)) from exc
    except Exception as exc:  # the age library wraps a stop or a write error in its own
        with contextlib.suppress(OSError):
            partial.unlink()
        if should_stop and should_stop():
            raise CopyStopped from exc
        cause = exc.__context__ if isinstance(exc.__context__, OSError) else None
        why = (cause.strerror if cause else None) or type(exc).__name__
        raise CopyError(problem(Code.COPY_WRITE_FAILED, file=final.name, why=why)) from exc
    # Written as read (neither compressed nor encrypted): one hash serves both.
    written = sink.digest.hexdigest() if compress or recipients else source_digest.hexdigest()
    try:
        read_back = hash_file(final, uncached=True, should_stop=should_stop)
    except CopyStopped:
        with contextlib.suppress(OSError):
            final.unlink()  # never verified: it must not stay under its final name
        raise
    except OSError as exc:
        why = exc.strerror or str(exc)
        raise CopyError(problem(Code.COPY_READBACK_FAILED, file=final.name, why=why)) from exc
    if read_back != written:
        try:
            # os.replace, not Path.rename: on Windows rename fails over an existing .corrupt of an
            # earlier attempt, which would leave the unverified bytes under the final name.
            os.replace(final, final.with_name(final.name + ".corrupt"))
        except OSError:
            with contextlib.suppress(OSError):
                final.unlink()  # never under its final name, whatever else fails
        raise CopyError(
            problem(Code.COPY_MISMATCH, file=final.name, written=written, read_back=read_back)
        )
    return VerifiedCopy(
        final,
        size,
        written,
        source_digest.hexdigest(),
        compress,
        encrypted=bool(recipients),
        readback=readback.method().value,
    )


def read_manifest(folder: Path, device: int | None = None) -> dict[str, str]:
    """File name -> SHA-256 from the folder's SHA256SUMS (missing: empty).

    The manifest is foreign input: read only if it is a regular file (on `device`, when given)
    of bounded size, and only entries naming a plain file of this folder with a well-formed
    digest are kept (an absolute or `../` path never leads outside the disk's folder)."""
    entries: dict[str, str] = {}
    path = folder / MANIFEST
    try:
        data = read_regular(path, MANIFEST_LIMIT, device=device)
    except UnsafeFile as exc:
        log.warning("%s is not read: %s", path, exc.why)
        return entries
    except OSError:
        return entries
    skipped = 0
    for line in data.decode("utf-8", errors="replace").splitlines():
        digest, _, name = line.partition("  ")
        name = name.removeprefix("*")
        if len(digest) == 64 and set(digest) <= _HEX and plain_name(name):
            entries[name] = digest
        elif line.strip():
            skipped += 1
    if skipped:
        log.warning("%s: %d line(s) that name no file of the folder were ignored", path, skipped)
    return entries


def write_manifest(folder: Path, entries: dict[str, str]) -> None:
    """Rewrite SHA256SUMS atomically (a temp file renamed over it)."""
    text = "".join(f"{digest}  {name}\n" for name, digest in sorted(entries.items()))
    temporary = folder / (MANIFEST + PARTIAL_SUFFIX)
    with create_private(temporary) as stream:
        stream.write(text.encode("utf-8"))
        os.fsync(stream.fileno())
    with contextlib.suppress(OSError):  # the manifest is public: `sha256sum -c` by anyone
        os.chmod(temporary, 0o644)
    os.replace(temporary, folder / MANIFEST)


class _FrameEnds:
    """Follows the structure of a zstd stream (RFC 8878, section 3.1) as it passes, without
    decompressing it, to tell whether it ends exactly after a whole frame: the bounded
    streaming decompressor does not say, and a copy cut short must not restore "successfully".
    Frames: magic, header, blocks (3-byte headers: last flag, type, size), optional checksum;
    skippable frames: magic, 4-byte size, content."""

    _ZSTD = 0xFD2FB528

    def __init__(self) -> None:
        self.frames = 0
        self._field = bytearray()
        self._want = 4
        self._then: Callable[[bytes], None] = self._magic
        self._skip = 0
        self._checksum = False
        self.broken = ""

    @property
    def complete(self) -> bool:
        return not self.broken and self.frames > 0 and self._idle

    @property
    def _idle(self) -> bool:
        return self._then == self._magic and not self._field and not self._skip

    def feed(self, data: bytes | bytearray | memoryview) -> None:
        view, at = memoryview(data), 0
        while at < len(view) and not self.broken:
            if self._skip:
                step = min(self._skip, len(view) - at)
                self._skip -= step
                at += step
                continue
            step = min(self._want - len(self._field), len(view) - at)
            self._field += view[at : at + step]
            at += step
            if len(self._field) == self._want:
                field, self._field = bytes(self._field), bytearray()
                self._then(field)

    def _expect(self, count: int, then: Callable[[bytes], None], skip: int = 0) -> None:
        self._skip, self._want, self._then = skip, count, then

    def _magic(self, field: bytes) -> None:
        magic = int.from_bytes(field, "little")
        if magic == self._ZSTD:
            self._expect(1, self._descriptor)
        elif magic & 0xFFFFFFF0 == 0x184D2A50:
            self._expect(4, self._skippable)
        else:
            self.broken = "not a zstd frame"

    def _skippable(self, field: bytes) -> None:
        self._expect(4, self._magic, skip=int.from_bytes(field, "little"))

    def _descriptor(self, field: bytes) -> None:
        flags = field[0]
        single = bool(flags & 0x20)
        self._checksum = bool(flags & 0x04)
        content_size = (1 if single else 0, 2, 4, 8)[flags >> 6]
        rest = (0 if single else 1) + (0, 1, 2, 4)[flags & 0x03] + content_size
        self._expect(3, self._block, skip=rest)

    def _block(self, field: bytes) -> None:
        header = int.from_bytes(field, "little")
        last, kind, size = header & 1, (header >> 1) & 3, header >> 3
        if kind == 3:
            self.broken = "a reserved block type"
            return
        content = 1 if kind == 1 else size
        if not last:
            self._expect(3, self._block, skip=content)
        elif self._checksum:
            self._expect(4, self._frame_end, skip=content)
        else:
            self.frames += 1
            self._expect(4, self._magic, skip=content)

    def _frame_end(self, field: bytes) -> None:
        self.frames += 1
        self._expect(4, self._magic)


class OutputTooLarge(Exception):
    """A copy unpacks to more than its dump's recorded size: it is not that dump's copy."""


class _Bounded:
    """Passes writes on to `sink` up to `limit` bytes in all (None: no limit)."""

    def __init__(self, sink: Any, limit: int | None) -> None:
        self.sink, self.limit, self.size = sink, limit, 0
        self.exceeded = False

    def write(self, data: bytes | bytearray | memoryview) -> int:
        self.size += len(data)
        if self.limit is not None and self.size > self.limit:
            self.exceeded = True
            raise OutputTooLarge
        return int(self.sink.write(data))

    def flush(self) -> None:
        self.sink.flush()


class _Unzstd:
    """Decompresses what is written to it into `sink`, a piece at a time, with a bounded
    window (memory) and an output limit (the recorded dump size); `flush` fails unless the
    stream ended after a whole frame (a copy cut short must not restore "successfully")."""

    def __init__(self, sink: _HashingWriter, limit: int | None) -> None:
        import zstandard

        self.bounded = _Bounded(sink, limit)
        self.frames = _FrameEnds()
        decompressor = zstandard.ZstdDecompressor(max_window_size=MAX_WINDOW)
        self.writer: Any = decompressor.stream_writer(
            self.bounded,  # type: ignore[arg-type]
            write_size=OUTPUT_PIECE,
            closefd=False,
        )

    def write(self, data: bytes | bytearray | memoryview) -> int:
        self.frames.feed(data)
        if self.frames.broken:
            raise ValueError(f"the compressed copy is not zstd: {self.frames.broken}")
        self.writer.write(data)
        return len(data)

    def flush(self) -> None:
        self.writer.flush()
        if not self.frames.complete:
            raise ValueError("the compressed copy ends before its last frame")
        self.bounded.flush()


class _Discard:
    def write(self, data: bytes | bytearray | memoryview) -> int:
        return len(data)

    def flush(self) -> None:
        pass


@dataclass(frozen=True)
class RestoredDump:
    copy_sha256: str  # of the copy's bytes as read from the disk
    dump_sha256: str  # of the dump it turned back into
    size: int  # bytes of the dump


def restore(
    copy: Path,
    destination: Path | None,
    identities: Sequence[str] = (),
    *,
    max_output: int | None = None,
    device: int | None = None,
) -> str:
    """The dump back from a copy (.age decrypted with `identities`, .zst decompressed), streamed
    into `destination` (None: only read through); the SHA-256 of the dump. Raises CopyError when
    the copy cannot be opened (wrong key, damaged, not a regular file, larger than
    `max_output`)."""
    return restore_verified(
        copy, destination, identities, max_output=max_output, device=device
    ).dump_sha256


def restore_verified(
    copy: Path,
    destination: Path | None,
    identities: Sequence[str] = (),
    *,
    progress: BytesDone | None = None,
    should_stop: ShouldStop | None = None,
    max_output: int | None = None,
    device: int | None = None,
) -> RestoredDump:
    """`restore`, reading the copy from the disk itself (not the cache) once, hashing both the
    copy as read and the dump it becomes; `progress` gets the copy's bytes read so far.

    The copy is foreign input: it is opened only as a regular file (of `device`, when given),
    and what it turns into is limited to `max_output` bytes (the dump's recorded size) and
    decompressed with a bounded window, so a small crafted file cannot fill the memory or the
    disk. Raises CopyStopped when told to stop (the partial output removed), CopyError
    otherwise."""

    encrypted, name = copy.name.endswith(".age"), copy.name.removesuffix(".age")
    compressed = name.endswith(".zst")
    partial = destination.with_name(destination.name + PARTIAL_SUFFIX) if destination else None
    copy_digest = hashlib.sha256()
    try:
        stream = open_regular(copy, device=device)
    except UnsafeFile as exc:
        raise CopyError(problem(Code.COPY_NOT_REGULAR, file=copy.name, why=exc.why)) from exc
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
        raise CopyError(problem(Code.COPY_UNREADABLE, file=copy.name, why=why)) from exc
    plain: Any = None
    try:
        with contextlib.ExitStack() as stack:
            stack.enter_context(stream)
            target: Any = stack.enter_context(create_private(partial)) if partial else _Discard()
            sink = _HashingWriter(target)
            plain = _Unzstd(sink, max_output) if compressed else _Bounded(sink, max_output)
            _drop_cache(stream)
            reader = io.BufferedReader(_Tap(stream, copy_digest, progress, should_stop), CHUNK)
            if encrypted:
                import pyrage

                keys = [pyrage.x25519.Identity.from_str(i) for i in identities]
                if not keys:
                    raise CopyError(problem(Code.NO_KEY, file=copy.name))
                pyrage.decrypt_io(reader, plain, keys)
            else:
                while chunk := reader.read(CHUNK):
                    plain.write(chunk)
            plain.flush()  # a compressed copy cut short raises here: its frame never ended
            if partial is not None:
                target.flush()
                os.fsync(target.fileno())
    except (CopyError, CopyStopped):
        _remove(partial)
        raise
    except Exception as exc:  # pyrage's and zstandard's own errors: the copy does not open
        _remove(partial)
        if should_stop and should_stop():
            raise CopyStopped from exc
        bounded = plain.bounded if isinstance(plain, _Unzstd) else plain
        if isinstance(bounded, _Bounded) and bounded.exceeded:
            raise CopyError(
                problem(Code.COPY_TOO_LARGE, file=copy.name, limit=max_output or 0)
            ) from exc
        raise CopyError(
            problem(Code.COPY_UNREADABLE, file=copy.name, why=type(exc).__name__)
        ) from exc
    if partial is not None and destination is not None:
        os.replace(partial, destination)
    return RestoredDump(copy_digest.hexdigest(), sink.digest.hexdigest(), sink.size)


def _remove(path: Path | None) -> None:
    if path is not None:
        with contextlib.suppress(OSError):
            path.unlink()
