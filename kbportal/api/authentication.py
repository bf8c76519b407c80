import re

from django.utils import timezone
from django.utils.translation import gettext as _
from knox.auth import TokenAuthentication
from knox.settings import knox_settings
from rest_framework.authentication import get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from kbportal.accounts.services import api_token_mark_used

# Every secret knox makes ("kbp_" and hex) or DRF made (40 hex) has this shape; anything else is refused
# before knox decodes it as UTF-8, which raised (a 500) on any other byte.
TOKEN_SHAPE = re.compile(rb"[A-Za-z0-9_]{1,128}")


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

    def authenticate_credentials(self, token: bytes):
        if not TOKEN_SHAPE.fullmatch(token):
            raise AuthenticationFailed(_("Invalid token."))
        user, auth_token = super().authenticate_credentials(token)
        api_token_mark_used(token=auth_token)
        return user, auth_token

    def _cleanup_token(self, auth_token) -> bool:
        """Refuse (and delete) this token if it has expired. Knox also reads every other token of the owner on
        each request to delete the expired ones; api_token_create tidies those, so requests skip that query."""
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            auth_token.delete()
            return True
        return False

    def authenticate_header(self, request) -> str | None:
        # DRF answers a refusal with 401 and this challenge, or with 403 when the first class names none.
        # A caller whose token was refused (expired, revoked) gets 401, which tells its client to get a new
        # token; one that sent no credentials keeps the 403 every endpoint has always answered.
        if get_authorization_header(request):
            return knox_settings.AUTH_HEADER_PREFIX
        return None
