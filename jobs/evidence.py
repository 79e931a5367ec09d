"""The evidence chain at run time: signed checkpoints after each batch of entries and at least
daily, its fingerprint for the morning summary, and its verification (`sopbot verifikasi-log`,
/cek, the audit report)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from core.merkle import Tree
from core.settings import Settings
from core.signednote import Checkpoint, NoteError, Signer, Verifier, sign_checkpoint
from storage.chain import Chain, ChainGap, Head
from storage.chain_check import ChainReport, verify
from storage.checkpoints import CheckpointLog, CheckpointRecord

log = logging.getLogger(__name__)

CHECKPOINT_AT_LEAST_EVERY = timedelta(days=1)
FINGERPRINT_HEX = 16  # the "sidik rantai": size and the first 16 hex digits of the head


class KeyProblem(Exception):
    """The office's signing key is configured but cannot be read or is not a key."""


def read_signer(path: Path) -> Signer:
    try:
        return Signer.parse(path.read_text(encoding="utf-8-sig"))
    except OSError as error:
        raise KeyProblem(f"{path}: {error.strerror or 'unreadable'}") from None
    except NoteError as error:
        raise KeyProblem(f"{path}: not a signing key ({error})") from None


def read_verifier(text: str) -> Verifier:
    """A verifier key string, or the verifier of a signing key file's text."""
    line = next((ln.strip() for ln in text.splitlines() if ln.strip() and ln[0] != "#"), "")
    if line.startswith("PRIVATE+KEY+"):
        return Signer.parse(text).verifier
    return Verifier.parse(line)


@dataclass(frozen=True)
class Fingerprint:
    size: int
    head: str  # the first 16 hex digits

    def text(self) -> str:
        return f"{self.size}/{self.head}"


class Evidence:
    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.settings, self.engine = settings, engine
        self.chain = Chain(sessionmaker(engine, expire_on_commit=False))
        self.checkpoints = CheckpointLog(engine)

    def signer(self) -> Signer | None:
        path = self.settings.evidence_key_file
        return None if path is None else read_signer(path)

    def verifier(self) -> Verifier | None:
        signer = self.signer()
        return None if signer is None else signer.verifier

    def witness(self) -> Verifier | None:
        key = self.settings.central_witness_key.strip()
        return Verifier.parse(key) if key else None

    def head(self) -> Head:
        return self.chain.head()

    def fingerprint(self) -> Fingerprint:
        head = self.head()
        return Fingerprint(head.size, head.hash.hex()[:FINGERPRINT_HEX])

    def checkpoint_if_due(self, now: datetime) -> CheckpointRecord | None:
        """Sign a checkpoint when the chain grew since the last one, or a day has passed."""
        signer = self.signer()
        if signer is None:
            return None
        head = self.head()
        last = self.checkpoints.latest()
        if (
            last is not None
            and last.size == head.size
            and now - last.at < CHECKPOINT_AT_LEAST_EVERY
        ):
            return None
        try:
            tree = self.tree(head.size)
        except ChainGap as gap:
            log.warning("No checkpoint signed: entry %s of the evidence chain is missing", gap)
            return None
        root = tree.root()
        note = sign_checkpoint(signer, Checkpoint(signer.name, head.size, root))
        made = self.checkpoints.add(now, head.size, root.hex(), note, tree.state())
        log.info("Checkpoint of the evidence chain signed: size %s", head.size)
        return made

    def tree(self, size: int) -> Tree:
        """The RFC 6962 tree of the first `size` entries, from the frontier the newest
        checkpoint kept (only the entries after it are read), else from the first entry."""
        kept = self.checkpoints.latest_tree(size)
        start = None
        if kept is not None:
            try:
                start = Tree.restore(kept.size, kept.tree)
            except ValueError:
                log.warning("Checkpoint %s kept an unreadable tree: recomputed", kept.id)
        return self.chain.tree(size, start)

    def verify(self, verifier: Verifier | None = None) -> ChainReport:
        """Check the chain; with the office's own key unless another verifier is given."""
        if verifier is None:
            try:
                verifier = self.verifier()
            except KeyProblem as problem:
                log.warning("Evidence key unreadable: %s", problem)
        return verify(self.engine, verifier, self._witness_or_none(), self._held_centrally())

    def _held_centrally(self) -> tuple[int, str] | None:
        """The newest checkpoint the central witness has cosigned for this office, when there
        is a central database; None when it cannot say (the check goes on without it)."""
        if not self.settings.pushes_evidence:
            return None
        from sqlalchemy.exc import SQLAlchemyError

        from storage.central.admin import central_engine
        from storage.central.witness import newest_witnessed

        try:
            engine = central_engine(self.settings.central_database_url.get_secret_value())
            try:
                with engine.connect() as connection:
                    return newest_witnessed(connection, self.settings.office_id)
            finally:
                engine.dispose()
        except (SQLAlchemyError, ImportError) as error:
            log.warning("The central witness could not be asked: %s", type(error).__name__)
            return None

    def _witness_or_none(self) -> Verifier | None:
        try:
            return self.witness()
        except NoteError:
            return None
