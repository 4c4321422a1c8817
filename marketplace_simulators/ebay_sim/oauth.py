"""OAuth 2.0: token endpoint, consent page, and the bearer-token check every eBay endpoint runs.

Docs: developer.ebay.com/api-docs/static/oauth-auth-code-grant.html (consent + code exchange),
.../oauth-refresh-token-request.html, .../oauth-client-credentials-grant.html. Response bodies follow
shared/ebay-samples/oauth-*.json.
"""
import base64
import html
import secrets
import time
from urllib.parse import urlencode

from .errors import OAuthError, insufficient_permissions, invalid_access_token
from .routing import Response, json_response

CODE_TTL = 300                      # authorization codes: ~5 minutes (UNCONFIRMED upstream), single use
REFRESH_TTL = 47304000              # ~18 months, as in oauth-authorizationCode-token.json
APP_SCOPE = "https://api.ebay.com/oauth/api_scope"
USER_SCOPES = " ".join(APP_SCOPE + suffix for suffix in (
    "", "/sell.inventory", "/sell.fulfillment", "/sell.account", "/commerce.notification.subscription"))


def _token(prefix):
    """Opaque token in eBay's ``v^1.1#i^1#...`` style, so clients must URL-encode it like a real one."""
    return f"v^1.1#i^1#{prefix}#r^1#I^3#f^0#t^" + secrets.token_urlsafe(40)


def find_app(db, client_id):
    """The registered application row, or ``None``."""
    return db.one("SELECT * FROM apps WHERE client_id=?", (client_id,))


def _client_from_basic(req):
    """Authenticate the application from ``Authorization: Basic base64(client_id:client_secret)``."""
    header = req.headers.get("Authorization", "")
    try:
        scheme, value = header.split(" ", 1)
        client_id, secret = base64.b64decode(value).decode().split(":", 1)
    except ValueError:
        raise OAuthError(401, "invalid_client", "client authentication failed") from None
    app = find_app(req.db, client_id)
    if scheme.lower() != "basic" or app is None or not secrets.compare_digest(app["client_secret"], secret):
        raise OAuthError(401, "invalid_client", "client authentication failed")
    return app


def _issue_access(db, client_id, kind, scope, ttl):
    token = _token("p^3" if kind == "user" else "p^1")
    db.execute("INSERT INTO access_tokens(token, client_id, kind, scope, expires_at) VALUES (?,?,?,?,?)",
               (token, client_id, kind, scope, time.time() + ttl))
    return token


def _grant_authorization_code(req, app, form, ttl):
    """Exchange a consent code (redirect_uri must be the app's RuName) for user access + refresh tokens."""
    code = req.db.one("SELECT * FROM auth_codes WHERE code=?", (form.get("code", ""),))
    if (code is None or code["used"] or code["expires_at"] < time.time() or code["client_id"] != app["client_id"]
            or form.get("redirect_uri") != app["ru_name"]):
        raise OAuthError(400, "invalid_grant",
                         "the provided authorization grant code is invalid or was issued to another client")
    with req.db.transaction() as db:
        db.execute("UPDATE auth_codes SET used=1 WHERE code=?", (code["code"],))
        access = _issue_access(db, app["client_id"], "user", code["scope"], ttl)
        refresh = _token("p^3")
        db.execute("INSERT INTO refresh_tokens(token, client_id, scope, expires_at) VALUES (?,?,?,?)",
                   (refresh, app["client_id"], code["scope"], time.time() + REFRESH_TTL))
    return {"access_token": access, "expires_in": ttl, "refresh_token": refresh,
            "refresh_token_expires_in": REFRESH_TTL, "token_type": "User Access Token"}


def _grant_refresh_token(req, app, form, ttl):
    """New user access token from a refresh token; requested scopes must be within the consented ones."""
    row = req.db.one("SELECT * FROM refresh_tokens WHERE token=?", (form.get("refresh_token", ""),))
    if row is None or row["client_id"] != app["client_id"] or row["expires_at"] < time.time():
        raise OAuthError(400, "invalid_grant",
                         "the provided authorization refresh token is invalid or was issued to another client")
    scope = form.get("scope") or row["scope"]
    if not set(scope.split()) <= set(row["scope"].split()):
        raise OAuthError(400, "invalid_scope", "The requested scope is invalid, unknown, malformed, or exceeds "
                                               "the scope granted to the client")
    with req.db.transaction() as db:
        access = _issue_access(db, app["client_id"], "user", scope, ttl)
    return {"access_token": access, "expires_in": ttl, "token_type": "User Access Token"}


def _grant_client_credentials(req, app, form, ttl):
    """Application token (Taxonomy, getPublicKey); no refresh token, as eBay sends none."""
    scope = form.get("scope") or APP_SCOPE
    if scope.split() != [APP_SCOPE]:
        raise OAuthError(400, "invalid_scope", "The requested scope is invalid, unknown, malformed, or exceeds "
                                               "the scope granted to the client")
    with req.db.transaction() as db:
        access = _issue_access(db, app["client_id"], "app", scope, ttl)
    return {"access_token": access, "expires_in": ttl, "token_type": "Application Access Token"}


GRANTS = {"authorization_code": _grant_authorization_code, "refresh_token": _grant_refresh_token,
          "client_credentials": _grant_client_credentials}


def token(req):
    """POST /identity/v1/oauth2/token — developer.ebay.com/api-docs/static/oauth-auth-code-grant.html."""
    try:
        app = _client_from_basic(req)
        form = req.form()
        grant = GRANTS.get(form.get("grant_type", ""))
        if grant is None:
            raise OAuthError(400, "unsupported_grant_type",
                             "grant type in request is not supported by the authorization server")
        return json_response(grant(req, app, form, req.sim.faults.token_ttl))
    except OAuthError as exc:
        return json_response(exc.body, exc.status)


def _page(title, body, status=200):
    text = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title>"
            "<style>body{font-family:sans-serif;max-width:34em;margin:3em auto}button{padding:.5em 1.5em;"
            "margin-right:1em}</style></head><body>" + body + "</body></html>")
    return Response(status, text.encode(), "text/html; charset=utf-8")


def _consent_request(req, values):
    """Validate client_id / redirect_uri (RuName) / response_type; returns the app or an error page."""
    app = find_app(req.db, values.get("client_id", ""))
    if app is None or values.get("redirect_uri") != app["ru_name"] or values.get("response_type") != "code":
        return None, _page("Invalid request", "<h1>eBay sandbox simulator</h1><p>The application, RuName "
                           "(redirect_uri) or response_type is not valid for this request.</p>", 400)
    return app, None


def authorize_page(req):
    """GET /oauth2/authorize — the consent page eBay shows on auth.ebay.com (Approve / Decline)."""
    app, error = _consent_request(req, req.query)
    if error:
        return error
    hidden = "".join(f"<input type='hidden' name='{k}' value='{html.escape(req.query.get(k, ''), quote=True)}'>"
                     for k in ("client_id", "redirect_uri", "response_type", "scope", "state"))
    scopes = "".join(f"<li>{html.escape(s)}</li>" for s in req.query.get("scope", "").split())
    return _page("Grant application access", (
        f"<h1>eBay sandbox simulator</h1><p>Signed in as <b>demo_seller</b>.</p>"
        f"<p>The application <b>{html.escape(app['client_id'])}</b> asks for access to your eBay account:</p>"
        f"<ul>{scopes}</ul><form method='post' action='/oauth2/authorize'>{hidden}"
        "<button name='decision' value='approve' id='approve'>Agree</button>"
        "<button name='decision' value='decline' id='decline'>Disagree</button></form>"))


def authorize_decision(req):
    """POST /oauth2/authorize — the consent form: 302 to the RuName's accept URL with ``code``/``state``."""
    form = req.form()
    app, error = _consent_request(req, form)
    if error:
        return error
    params = {}
    if form.get("decision") == "approve":
        code = _token("p^3")
        with req.db.transaction() as db:
            db.execute("INSERT INTO auth_codes(code, client_id, ru_name, scope, expires_at) VALUES (?,?,?,?,?)",
                       (code, app["client_id"], app["ru_name"], form.get("scope") or USER_SCOPES,
                        time.time() + CODE_TTL))
        params.update(code=code, expires_in=CODE_TTL - 1)
    else:
        params["error"] = "access_denied"
    if form.get("state"):
        params["state"] = form["state"]
    separator = "&" if "?" in app["accept_url"] else "?"
    return Response(302, b"", "", {"Location": app["accept_url"] + separator + urlencode(params)})


def authenticate(req, access):
    """Check ``Authorization: Bearer`` (``IAF`` for the Post-Order API, access ``iaf``); 401 for
    missing/unknown/expired, 403 for an app token on a Sell or Post-Order API."""
    scheme = "IAF " if access == "iaf" else "Bearer "
    header = req.headers.get("Authorization", "")
    if not header.startswith(scheme):
        raise invalid_access_token()
    row = req.db.one("SELECT kind, scope, expires_at FROM access_tokens WHERE token=?",
                     (header[len(scheme):].strip(),))
    if row is None or row["expires_at"] <= time.time():
        raise invalid_access_token()
    if access in ("user", "iaf") and row["kind"] != "user":
        raise insufficient_permissions()
    return row


def expire_all_tokens(db):
    """Forced token expiry (``POST /_sim/expire_tokens``): every access token is expired from now on."""
    with db.transaction():
        return db.execute("UPDATE access_tokens SET expires_at=? WHERE expires_at>?",
                          (time.time() - 1, time.time())).rowcount


def register_app(db, client_id, client_secret, ru_name, accept_url):
    """Create or update an application (demo seed, ``POST /_sim/apps``); call inside a transaction."""
    db.execute("INSERT INTO apps(client_id, client_secret, ru_name, accept_url) VALUES (?,?,?,?) "
               "ON CONFLICT(client_id) DO UPDATE SET client_secret=excluded.client_secret, "
               "ru_name=excluded.ru_name, accept_url=excluded.accept_url",
               (client_id, client_secret, ru_name, accept_url))


ROUTES = [
    ("POST", "/identity/v1/oauth2/token", token, "public"),
    ("GET", "/oauth2/authorize", authorize_page, "consent"),
    ("POST", "/oauth2/authorize", authorize_decision, "consent"),
]
