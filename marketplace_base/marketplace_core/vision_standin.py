"""A local stand-in of an OpenAI-compatible chat-completions server (``POST /v1/chat/completions``).

For tests and offline demos of drafting from photos: it answers every completion with one canned JSON object
(the item a vision model would describe) and keeps the requests it received, so a test sees what the
provider sent (the model, the photos as ``image_url`` parts, ``response_format``). Stdlib only.
"""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class ChatCompletionsStandIn:
    """``with ChatCompletionsStandIn(answer) as server:`` serves ``server.base_url`` (``http://host:port/v1``).
    ``status`` other than 200 answers an OpenAI-shaped error instead."""

    def __init__(self, answer, host="127.0.0.1", port=0, status=200):
        self.answer = answer
        self.status = status
        self.requests = []
        self._server = ThreadingHTTPServer((host, port), _handler(self))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self):
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def completion(self, request):
        """The chat-completion object answering ``request`` (OpenAI's documented shape)."""
        return {"id": "chatcmpl-standin-%s" % len(self.requests), "object": "chat.completion",
                "created": int(time.time()), "model": request.get("model"),
                "choices": [{"index": 0, "finish_reason": "stop",
                             "message": {"role": "assistant", "content": json.dumps(self.answer)}}],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}


def _handler(standin):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format, *args):  # noqa: A002 - signature fixed by BaseHTTPRequestHandler
            return

        def do_POST(self):  # noqa: N802 - http.server's naming
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
            if self.path.rstrip("/") != "/v1/chat/completions":
                return self._reply(404, {"error": {"message": "Not found", "type": "invalid_request_error"}})
            standin.requests.append({"body": body, "authorization": self.headers.get("Authorization")})
            if standin.status != 200:
                return self._reply(standin.status, {"error": {"message": "Refused by the stand-in",
                                                              "type": "invalid_request_error", "code": None}})
            return self._reply(200, standin.completion(body))

        def _reply(self, status, payload):
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler
