"""What every platform's OAuth callback does first: the account its ``state`` names, checked, and the HTTP answer of
a refusal (``marketplace_core/oauth_state.py`` signs and checks the state, ``marketplace.account`` spends it)."""
from contextlib import contextmanager

from werkzeug.exceptions import BadRequest, Forbidden

from odoo.exceptions import AccessError, UserError
from odoo.http import request


@contextmanager
def callback_refusals():
    """A refusal in a callback as its HTTP answer: 403 when the state or the account is someone else's, 400 when
    the state is forged, expired, used, or the platform's answer cannot be used."""
    try:
        yield
    except AccessError as exc:
        raise Forbidden(str(exc)) from exc
    except UserError as exc:
        raise BadRequest(str(exc)) from exc


def account_from_state(purpose, state):
    """The account of a callback's ``state`` for ``purpose``, signed here, started by this user in this browser
    session, unexpired and now spent; else 403 / 400 (``callback_refusals``)."""
    with callback_refusals():
        return request.env["marketplace.account"]._account_from_oauth_state(purpose, state)
