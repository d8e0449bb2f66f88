"""What the phone system needs from the application besides routing: the browser softphone's
time-limited SIP credentials, in the form Kamailio's autheph module checks (autheph_check with
the same secret): the username is "<expiry>:<username>", the password the Base64 of its
HMAC-SHA1 under PHONE_AUTH_SECRET."""

import base64
import hashlib
import hmac

from django.conf import settings

from calls import clock


def sip_credentials(username: str) -> dict:
    expires = int(clock.now().timestamp()) + settings.PHONE_CREDENTIALS_SECONDS
    sip_username = f"{expires}:{username}"
    digest = hmac.new(
        settings.PHONE_AUTH_SECRET.encode(), sip_username.encode(), hashlib.sha1
    ).digest()
    return {
        "username": sip_username,
        "password": base64.b64encode(digest).decode("ascii"),
        "ws_uri": f"ws://{settings.SIP_HOST}:{settings.SIP_WS_PORT}",
        "sip_uri": f"sip:{username}@{settings.SIP_DOMAIN}",
        "expires": expires,
    }


def digest_ha1(username: str, password: str) -> str:
    """What SIP digest authentication keeps instead of a password (Kamailio's auth_db "ha1")."""
    text = f"{username}:{settings.SIP_DOMAIN}:{password}"
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()
