"""Sessions of the web view: a random id in a cookie, the viewer kept in this process only
(nothing to forge, nothing in a URL), ended after idle minutes or a few hours at most; and a
bound on failed logins, per address and per login name."""

from __future__ import annotations

import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from storage.central.webaccess import Viewer

MAX_SESSIONS = 5000  # the oldest goes first: memory stays bounded whatever is tried


@dataclass
class Session:
    viewer: Viewer
    csrf: str  # the logout form's token: a page of another site cannot end a session
    started: float
    seen: float


@dataclass
class SessionStore:
    idle_seconds: float
    max_seconds: float
    clock: Callable[[], float] = time.monotonic
    _sessions: dict[str, Session] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self, viewer: Viewer) -> str:
        sid = secrets.token_urlsafe(32)
        now = self.clock()
        with self._lock:
            if len(self._sessions) >= MAX_SESSIONS:
                oldest = min(self._sessions, key=lambda k: self._sessions[k].started)
                del self._sessions[oldest]
            self._sessions[sid] = Session(viewer, secrets.token_urlsafe(16), now, now)
        return sid

    def get(self, sid: str | None) -> Session | None:
        if not sid or len(sid) > 100:
            return None
        now = self.clock()
        with self._lock:
            session = self._sessions.get(sid)
            if session is None:
                return None
            if now - session.seen > self.idle_seconds or now - session.started > self.max_seconds:
                del self._sessions[sid]
                return None
            session.seen = now
            return session

    def end(self, sid: str | None) -> None:
        with self._lock:
            self._sessions.pop(sid or "", None)


@dataclass
class LoginLimiter:
    """At most `attempts` failed logins per address and per login name in `window` seconds."""

    attempts: int = 10
    window: float = 900.0
    clock: Callable[[], float] = time.monotonic
    _failures: dict[str, deque[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        while times and now - times[0] > self.window:
            times.popleft()
        return times

    def blocked(self, *keys: str) -> bool:
        now = self.clock()
        with self._lock:
            return any(len(self._recent(k, now)) >= self.attempts for k in keys)

    def failed(self, *keys: str) -> None:
        now = self.clock()
        with self._lock:
            if len(self._failures) > 10 * MAX_SESSIONS:  # bounded: forget the quiet ones
                for key in [k for k, v in self._failures.items() if not self._recent(k, now)]:
                    del self._failures[key]
            for key in keys:
                self._recent(key, now).append(now)
