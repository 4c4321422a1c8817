"""Serving a local marketplace simulator over real HTTP (the eBay and the Shopee simulators).

Only the serving is shared: each simulator implements its marketplace's contract on its own.
"""
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# a kept-alive connection idle this long is closed, as a web server closes it: its thread ends (a client that drops
# its pooled connections without closing them would otherwise hold one thread each until it is garbage-collected)
KEEP_ALIVE_SECONDS = 15


class SimulatorHTTPServer(ThreadingHTTPServer):
    """One thread per connection, none of them keeping the process alive."""

    daemon_threads = True


class SimulatorHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 with keep-alive, as the marketplaces answer; idle connections close after KEEP_ALIVE_SECONDS;
    the access log goes to the simulator's logger at debug level."""

    protocol_version = "HTTP/1.1"
    timeout = KEEP_ALIVE_SECONDS
    disable_nagle_algorithm = True      # headers and body are separate writes: avoid 40 ms delayed-ACK stalls

    def log_message(self, format, *args):  # noqa: A002 - signature fixed by BaseHTTPRequestHandler
        logging.getLogger(type(self).__module__).debug("%s " + format, self.address_string(), *args)


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
