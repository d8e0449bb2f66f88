"""What the phone system needs from the application besides routing: the browser softphone's
time-limited SIP credentials, in the form Kamailio's autheph module checks (autheph_check with
the same secret): the username is "<expiry>:<username>", the password the Base64 of its
HMAC-SHA1 under PHONE_AUTH_SECRET; and the digest hash (HA1) of a desk phone's SIP password,
which Kamailio asks for when a phone registers or calls with its user's own username."""

import base64
import hashlib
import hmac
import secrets

from django.conf import settings

from calls import clock
from calls.access import can_take_calls
from calls.models import SipPassword

# A desk phone's password is typed into its web page or keypad once: letters and digits that
# cannot be mistaken for each other; 16 of them are about 90 bits.
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
PASSWORD_LENGTH = 16


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


def new_sip_password() -> str:
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))


def desk_phone_ha1(username: str, realm: str) -> str | None:
    """The digest hash Kamailio checks a desk phone's REGISTER or INVITE against, when the user
    is active, takes calls, and has a SIP password made for this username and realm; else
    None."""
    found = (
        SipPassword.objects.select_related("user")
        .filter(username=username, realm=realm, user__is_active=True)
        .first()
    )
    if found is None or found.user.get_username() != username or not can_take_calls(found.user):
        return None
    return found.ha1
