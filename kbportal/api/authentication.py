from knox.auth import TokenAuthentication
from knox.settings import knox_settings
from rest_framework.authentication import get_authorization_header

from kbportal.accounts.services import api_token_mark_used


class ApiTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <secret>` with a hashed, expiring token (knox), noting when it was last used.

    Knox refuses an expired token (and deletes it), a revoked one and one whose owner is deactivated.
    """

    def authenticate(self, request):
        # Knox reads its header prefix through authenticate_header, which names a scheme only for a
        # request that sent an Authorization header.
        if not get_authorization_header(request):
            return None
        return super().authenticate(request)

    def authenticate_credentials(self, token):
        user, auth_token = super().authenticate_credentials(token)
        api_token_mark_used(token=auth_token)
        return user, auth_token

    def authenticate_header(self, request) -> str | None:
        # DRF answers a refusal with 401 and this challenge, or with 403 when the first class names none.
        # A caller whose token was refused (expired, revoked) gets 401, which tells its client to get a new
        # token; one that sent no credentials keeps the 403 every endpoint has always answered.
        if get_authorization_header(request):
            return knox_settings.AUTH_HEADER_PREFIX
        return None
