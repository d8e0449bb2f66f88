"""The survey link's token: the invitation's id, signed with the project's secret key
(django.core.signing), so that nobody can make or change one. Nothing secret is stored; the
invitation says when the link expires, and its answer that it was used."""

from django.core import signing

SALT = "feedback.survey"


def token_for(invitation_id: int) -> str:
    return signing.dumps(invitation_id, salt=SALT)


def invitation_id_from(token: str) -> int | None:
    """The invitation a token names, or None for a token that was not made here or was
    changed."""
    try:
        invitation_id = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    return invitation_id if isinstance(invitation_id, int) else None
