"""Serving a local marketplace simulator over real HTTP (the eBay and the Shopee simulators).

Only the serving is shared: each simulator implements its marketplace's contract on its own.
"""
import threading
from http.server import ThreadingHTTPServer


class SimulatorHTTPServer(ThreadingHTTPServer):
    """One thread per request, none of them keeping the process alive."""

    daemon_threads = True


class BackgroundSimulator:
    """``start()`` serves in a daemon thread (tests, the bench), ``serve_forever()`` in the calling one
    (the command line), ``stop()`` shuts down and releases the port and the simulator's state; a ``with``
    block starts and stops. ``port=0`` picks a free port: ``base_url`` is known once the server exists.

    A simulator makes its HTTP server (``self._httpd``) in its ``__init__`` and closes its state in
    ``_close_state()``.
    """

    thread_name = "simulator"
    _httpd = None
    _thread = None

    @property
    def netloc(self):
        host, port = self._httpd.server_address[:2]
        return f"{host}:{port}"

    @property
    def base_url(self):
        return "http://" + self.netloc

    def start(self):
        """Serve in a daemon thread; returns ``self`` for chaining."""
        self._thread = threading.Thread(target=self._httpd.serve_forever, name=self.thread_name, daemon=True)
        self._thread.start()
        return self

    def serve_forever(self):
        """Serve in the calling thread (the command line)."""
        self._httpd.serve_forever()

    def stop(self):
        """Stop serving and release the port and the simulator's state."""
        if self._thread:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()
        self._close_state()

    def _close_state(self):
        raise NotImplementedError

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
