"""What a marketplace client does with its HTTP session (``requests.Session``) once its work is done."""


class SessionOwner:
    """Mixin of a client keeping its session in ``self.session``: ``close()``, or the end of a ``with`` block, closes
    the session the client made, so that a job's connections are released when its calls end and not when the
    garbage collector finds them (each an open socket, and a thread on a threaded server, until then). A session the
    client was given stays its owner's to close."""

    _owns_session = False

    def _take_session(self, session, make):
        """``session``, or a new one from ``make()`` that the client then owns."""
        self._owns_session = session is None
        return make() if session is None else session

    def close(self):
        if self._owns_session:
            self.session.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
