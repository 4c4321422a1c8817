"""Secrets out of error texts: one scrubber for every client, the job engine and the server log.

Shopee signs each call in its query string (``sign``) and carries the shop's ``access_token`` there too,
so a network error's text (urllib3's "Max retries exceeded with url: ...&access_token=...") holds the
token; a token call's body echoed in an error holds the refresh token or the authorization code; a header
dump holds ``Authorization: Bearer ...``. Such a text must not reach a job's error, traceback or log lines
(every Marketplace User reads them), a to-do, or the server log. ``redact`` masks the values and keeps the
rest, so the error still says what failed and where.
"""
import logging
import re

MASK = "***"

# Names whose value is a secret, in a query string, a form, a JSON body or a Python repr. Matched as
# whole names (``error_code`` or ``shop_id`` are left alone).
SECRET_NAMES = (
    "access_token", "refresh_token", "id_token", "token", "code", "sign", "signature", "client_secret",
    "partner_key", "api_key", "apikey", "secret", "password", "verification_token", "session_id", "authorization",
)
_NAMES = "|".join(sorted(SECRET_NAMES, key=len, reverse=True))

# name=value (also URL-encoded: name%3Dvalue, inside another URL), up to the next separator
_PARAM = re.compile(
    r"(?:(?<![\w.-])|(?<=%%3F)|(?<=%%26))(?P<name>%s)(?P<sep>=|%%3D)"
    r"(?P<value>(?:(?!%%26)[^&\s'\"#,;)<>\]}])+)" % _NAMES, re.IGNORECASE)
# "name": "value", 'name': 'value', name: "value"
_QUOTED = re.compile(
    r"(?<![\w.-])(?P<name>[\"']?(?:%s)[\"']?\s*[:=]\s*)(?P<quote>[\"'])(?P<value>[^\"']*)(?P=quote)" % _NAMES,
    re.IGNORECASE)
# Authorization: Basic x / Digest x (a header line; a header dict's repr is _QUOTED's, Bearer is _BEARER's)
_AUTHORIZATION = re.compile(
    r"(?P<name>\bauthorization[\"']?\s*[:=]\s*[\"']?)(?P<scheme>basic|digest|token)\s+(?P<value>[^\s\"',;]+)",
    re.IGNORECASE)
# a bearer token named nowhere else
_BEARER = re.compile(r"(?P<scheme>\bbearer\s+)(?P<value>[^\s\"',;]+)", re.IGNORECASE)


def redact(text):
    """``text`` with every secret value replaced by ``***`` (anything not a str is made one first)."""
    if text is None or text is False:
        return text
    text = str(text)
    text = _AUTHORIZATION.sub(lambda m: "%s%s %s" % (m["name"], m["scheme"], MASK), text)
    text = _BEARER.sub(lambda m: m["scheme"] + MASK if m["value"] != MASK else m[0], text)
    text = _QUOTED.sub(lambda m: "%s%s%s%s" % (m["name"], m["quote"], MASK, m["quote"]), text)
    return _PARAM.sub(lambda m: "%s%s%s" % (m["name"], m["sep"], MASK), text)


def redacted_error(exc):
    """An exception of the same class as ``exc`` whose text is redacted, to raise in its place.

    The original keeps the secret in its text, its arguments (urllib3's error holds the URL) and its
    ``request`` (the prepared URL): raise the copy ``from None`` so no traceback shows the original.
    Callers still tell a network error apart by its class (``errors.is_retryable``)."""
    try:
        clean = type(exc)(redact(str(exc)))
    except TypeError:  # a class whose constructor wants more: the text matters, not the class
        clean = RuntimeError("%s: %s" % (type(exc).__name__, redact(str(exc))))
    for name in ("retryable", "retry_after"):
        if hasattr(exc, name):
            setattr(clean, name, getattr(exc, name))
    return clean


class RedactingFilter(logging.Filter):
    """A logging filter that redacts a record's message (for libraries that log URLs: urllib3 at DEBUG
    logs every request line with its query string, werkzeug logs the OAuth callbacks' ``code``)."""

    def filter(self, record):
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed record: the handler reports it
            return True
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, ()
        return True


def install_log_filter(logger_names):
    """Put one RedactingFilter on each named logger (once, however often the addon is imported)."""
    for name in logger_names:
        logger = logging.getLogger(name)
        if not any(isinstance(existing, RedactingFilter) for existing in logger.filters):
            logger.addFilter(RedactingFilter())
