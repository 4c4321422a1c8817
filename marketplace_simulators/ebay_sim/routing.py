"""Request/response objects and the route table format shared by the endpoint modules.

Each endpoint module exports ``ROUTES``: ``Route(method, template, handler, access)`` where ``access`` is
``"user"`` (Sell APIs: user token), ``"any"`` (Taxonomy, getPublicKey: application or user token),
``"public"`` (the token endpoint: no bearer token), ``"consent"`` (the consent page: counted, never faulted)
or ``"sim"`` (``/_sim`` controls: no
auth, no faults, not counted).
"""
import json
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from .errors import bad_request

PARAM = re.compile(r"\{(\w+)\}")


@dataclass
class Route:
    method: str
    template: str
    handler: object
    access: str
    pattern: re.Pattern = field(init=False)
    call_key: str = field(init=False)

    def __post_init__(self):
        regex = PARAM.sub(lambda m: f"(?P<{m.group(1)}>[^/]+)", re.escape(self.template).replace(r"\{", "{")
                          .replace(r"\}", "}"))
        self.pattern = re.compile("^" + regex + "$")
        self.call_key = f"{self.method} {PARAM.sub('{id}', self.template)}"


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict = field(default_factory=dict)


def json_response(payload, status=200, headers=None):
    """A JSON response; compact separators keep large pages cheap."""
    body = json.dumps(payload, separators=(",", ":")).encode()
    return Response(status, body, "application/json", dict(headers or {}))


def empty_response(status=204, headers=None):
    """A response without a body (204, or 201 with Location)."""
    return Response(status, b"", "", dict(headers or {}))


class Request:
    """What a handler sees: method, path params, query, headers, body, the borrowed ``db`` and the simulator."""

    def __init__(self, method, path, query_string, headers, body, sim):
        self.method = method
        self.path = path
        self.query = {k: v[-1] for k, v in parse_qs(query_string, keep_blank_values=True).items()}
        self.headers = headers
        self.body = body
        self.sim = sim
        self.params = {}
        self.db = None
        self.token = None

    @property
    def base_url(self):
        """Scheme and host the client used, so ``href``/``next``/``Location`` point back at this simulator."""
        return "http://" + (self.headers.get("Host") or self.sim.netloc)

    def json(self, required=True):
        """The JSON body (a dict); eBay-shaped 400 when it is missing or malformed."""
        if not self.body:
            if required:
                raise bad_request(2004, "API", "The request has errors. Request body is missing.")
            return {}
        try:
            payload = json.loads(self.body)
        except ValueError:
            raise bad_request(2004, "API", "The request has errors. Could not serialize field. "
                                           "Check the JSON payload.") from None
        if not isinstance(payload, dict):
            raise bad_request(2004, "API", "The request has errors. The body must be a JSON object.")
        return payload

    def form(self):
        """A form-encoded body (OAuth token endpoint, consent form)."""
        return {k: v[-1] for k, v in parse_qs(self.body.decode("utf-8", "replace")).items()}


def int_param(req, name, default, low, high, error_id, domain):
    """An integer query parameter within ``[low, high]``; eBay-shaped 400 otherwise."""
    raw = req.query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise bad_request(error_id, domain, f"Invalid value for {name}. It must be between {low} and {high}.",
                          {name: raw})
    return value
