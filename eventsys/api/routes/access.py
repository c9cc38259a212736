"""Bearer tokens: exchanging an email and password for one, revoking it."""

from flask_babel import gettext as _

from eventsys.api import bp
from eventsys.api import tokens as api_tokens
from eventsys.api.problems import ApiProblem
from eventsys.api.routes.common import BEARER, tokens_limit
from eventsys.api.schemas import TokenRequestSchema, TokenSchema
from eventsys.extensions import limiter
from eventsys.services import accounts


@bp.post("/tokens")
@limiter.limit(tokens_limit, key_func=api_tokens.address_key)
@limiter.limit(tokens_limit, key_func=api_tokens.email_key)
@bp.arguments(TokenRequestSchema)
@bp.response(201, TokenSchema)
def create_token(data):
    """Exchange an email and password for a bearer token.

    The token is shown once; keep it secret. It expires after EVENTSYS_API_TOKEN_HOURS.
    """
    user = accounts.authenticate(data["email"], data["password"])
    if user is None:
        raise ApiProblem("unauthorized", _("The email address or password is not right."))
    secret, record = api_tokens.issue(user)
    return {"token": secret, "expires_at": record.expires_at}


@bp.delete("/tokens/current")
@api_tokens.token_required
@bp.response(204)
@bp.doc(security=BEARER)
def revoke_token():
    """Revoke the token sent with this request."""
    api_tokens.revoke(api_tokens.authenticate())
    return None
