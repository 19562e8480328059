"""One ssh login per connection, kept for the requests after it, on docker-py's ssh transport that runs the ssh
program (as the docker CLI does, so the user's ~/.ssh/config, agent and known_hosts apply).

docker-py made a new connection pool for every request there, because http.client closes the response's file when
the response ends and that file was the ssh process's own stdout: the next request could not use it. So each call
started an ssh of its own (a login: a third of a second and more for each list refresh, inspect and stats reading).
Here a response gets the pipe without the power to close it, and the pool stays; the ssh process ends when its
connection is closed (the client closing, or the connection found broken).
"""

from __future__ import annotations

import socket
from types import SimpleNamespace

from docker.transport import sshconn

_ONE_POOL = "engine"


class _PipeForOneResponse:
    """The ssh process's stdout as one response sees it: closing it leaves the pipe open for the next request."""

    def __init__(self, pipe, sock: _KeptSocket):
        self._pipe = pipe
        self.closed = False
        # Where docker-py's CancellableStream looks for the socket to shut when a stream is cancelled.
        self.raw = SimpleNamespace(sock=sock)

    def close(self) -> None:
        self.closed = True

    def flush(self) -> None:
        pass

    def __getattr__(self, name: str):
        return getattr(self._pipe, name)


class _KeptSocket(sshconn.SSHSocket):
    def makefile(self, mode):
        return _PipeForOneResponse(super().makefile(mode), self)

    def shutdown(self, how) -> None:
        """A stream cancelled (the app closing a log or event stream): end the ssh process, so the reader waiting
        on its pipe sees the end at once."""
        if self.proc is not None:
            self.proc.terminate()

    @property
    def ended(self) -> bool:
        """Closed, or its ssh process gone (the network dropped, the server went away)."""
        return self._ended or (self.proc is not None and self.proc.poll() is not None)

    _ended = False

    def close(self) -> None:
        self._ended = True
        try:
            super().close()  # docker-py's goodbye on stdin, then the process ends
        except OSError:
            if self.proc is not None:  # the process is gone already (connection lost): its stdin is a broken pipe
                self.proc.terminate()
        socket.socket.close(self)  # docker-py leaves the placeholder socket's descriptor open


class _KeptConnection(sshconn.SSHConnection):
    def connect(self) -> None:
        sock = _KeptSocket(self.ssh_host)
        sock.settimeout(self.timeout)
        sock.connect()
        self.sock = sock


class _KeptPool(sshconn.SSHConnectionPool):
    def _new_conn(self):
        return _KeptConnection(None, self.timeout, self.ssh_host)

    def _get_conn(self, timeout=None):
        conn = super()._get_conn(timeout)
        if isinstance(conn.sock, _KeptSocket) and conn.sock.ended:
            # Its ssh is over (closed from elsewhere, or lost): the request logs in anew rather than write into it.
            conn.sock = None
        return conn


def keep_ssh_connections(client) -> None:
    """Give `client` (an APIClient made with use_ssh_client=True) one lasting pool. One: the adapter serves one
    engine, and its pools, kept by full URL and one at most, would close each other at every new path."""
    adapter = client._custom_adapter

    def kept_pool(url, proxies=None):
        with adapter.pools.lock:
            pool = adapter.pools.get(_ONE_POOL)
            if pool is None:
                pool = adapter.pools[_ONE_POOL] = _KeptPool(
                    timeout=adapter.timeout, maxsize=adapter.max_pool_size, host=adapter.ssh_host
                )
            return pool

    adapter.get_connection = kept_pool
