"""JSON payloads of jobs: sellers type them in a form, so errors must say what is wrong."""
import hashlib
import json


def parse_payload(text):
    """Return the payload as a dict; empty text means ``{}`` (everything, the default).

    Raises ``ValueError`` with a message a seller can act on.
    """
    if not text or not str(text).strip():
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(
            "The payload is not valid JSON (line %d, column %d: %s)." % (exc.lineno, exc.colno, exc.msg)
        ) from exc
    if not isinstance(value, dict):
        raise ValueError('The payload must be a JSON object such as {"since": "2024-11-01T00:00:00"}.')
    return value


def canonical_json(value):
    """Serialise ``value`` so that equal payloads give equal text (sorted keys, no spaces)."""
    return json.dumps(value or {}, sort_keys=True, separators=(",", ":"), default=str)


def identity_key(job_type, account_id, shop_id, payload):
    """Key of "the same job": type, account, shop and payload. Equal pending jobs are not enqueued twice."""
    digest = hashlib.sha1(canonical_json(payload).encode()).hexdigest()[:16]
    return "%s:%s:%s:%s" % (job_type, account_id or 0, shop_id or 0, digest)
