"""A TCP listener on 127.0.0.1, 127.0.0.2 and 127.0.0.3 (one port) that counts connection attempts.

127.0.0.1 and 127.0.0.2 stand for hosts a query must never reach; 127.0.0.3 is a decoy endpoint
put on the allow-list, so that an allowed SERVICE call has somewhere to go. Each connection is
closed at once (after reading the request line, on the decoy), so the engine's SERVICE client
fails fast instead of waiting.
"""

from __future__ import annotations

import selectors
import socket
import threading

import pytest

FORBIDDEN = ("127.0.0.1", "127.0.0.2")
DECOY = "127.0.0.3"


class LoopbackListener:
    def __init__(self):
        self.counts = {host: 0 for host in FORBIDDEN + (DECOY,)}
        self.decoy_targets: list[str] = []       # the path of each request to the decoy
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._sockets = self._bind()
        self.port = self._sockets[0].getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _bind(self) -> list[socket.socket]:
        for _ in range(20):
            first = socket.socket()
            first.bind((FORBIDDEN[0], 0))
            port = first.getsockname()[1]
            sockets = [first]
            try:
                for host in FORBIDDEN[1:] + (DECOY,):
                    s = socket.socket()
                    sockets.append(s)
                    s.bind((host, port))
            except OSError:
                for s in sockets:
                    s.close()
                continue
            for s in sockets:
                s.listen(64)
                s.setblocking(False)
            return sockets
        raise RuntimeError("no port free on 127.0.0.1, 127.0.0.2 and 127.0.0.3 at once")

    def _serve(self) -> None:
        with selectors.DefaultSelector() as sel:
            for s in self._sockets:
                sel.register(s, selectors.EVENT_READ)
            while not self._stop.is_set():
                for key, _ in sel.select(timeout=0.05):
                    try:
                        conn, _ = key.fileobj.accept()
                    except OSError:
                        continue
                    host = key.fileobj.getsockname()[0]
                    target = self._request_target(conn) if host == DECOY else None
                    with self._lock:
                        self.counts[host] += 1
                        if target is not None:
                            self.decoy_targets.append(target)
                    conn.close()

    @staticmethod
    def _request_target(conn: socket.socket) -> str:
        """The path the engine asked the decoy for (its request line), or '' if it sent none."""
        conn.settimeout(1.0)
        try:
            line = conn.recv(4096).split(b"\r\n", 1)[0].decode("latin-1")
        except OSError:
            return ""
        parts = line.split(" ")
        return parts[1].split("?", 1)[0] if len(parts) >= 2 else ""

    @property
    def escapes(self) -> int:
        """Connections to the hosts no query may reach."""
        with self._lock:
            return sum(self.counts[h] for h in FORBIDDEN)

    def url(self, host: str = FORBIDDEN[0], path: str = "/sparql") -> str:
        return f"http://{host}:{self.port}{path}"

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        for s in self._sockets:
            s.close()


@pytest.fixture(scope="module")
def listener():
    """A LoopbackListener for a test module: import it there to use it."""
    server = LoopbackListener()
    yield server
    server.close()
