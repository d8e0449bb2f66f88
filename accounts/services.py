"""Users and their roles: the only writers (the users page and the password pages call these).

The rules that keep roles from growing live here, not in the forms: a user gets only the four
roles of callcenter.roles, never superuser or staff status or single permissions; nobody changes
their own roles or deactivates themselves; only a superuser changes a superuser.

User has no version column, so an edit carries a fingerprint of the user as the form showed it
(user_fingerprint) and the save compares it with the row, locked (callcenter.concurrency).
"""

import json
import logging

from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from accounts.models import Session
from callcenter import roles
from callcenter.concurrency import EditConflict

logger = logging.getLogger("accounts")

ROLE_NAMES = list(roles.LABELS)
# What the users page may write; anything else (is_superuser, is_staff, user_permissions,
# groups, password by another way) is refused.
DETAIL_FIELDS = ["first_name", "last_name", "email"]
CREATE_FIELDS = ["username", *DETAIL_FIELDS, "roles"]
UPDATE_FIELDS = [*DETAIL_FIELDS, "roles"]


def user_roles(user: User) -> list[str]:
    """The user's roles, in the order of callcenter.roles."""
    names = {group.name for group in user.groups.all()}
    return [name for name in ROLE_NAMES if name in names]


def user_fingerprint(user: User) -> str:
    """A digest of everything the users page shows or changes of `user`, keyed with SECRET_KEY
    (the password hash is part of it, so the digest in a form reveals nothing)."""
    values = [
        user.username,
        user.first_name,
        user.last_name,
        user.email,
        user.is_active,
        user.is_staff,
        user.is_superuser,
        user.password,
        sorted(user.groups.values_list("name", flat=True)),
    ]
    return salted_hmac("accounts.user_fingerprint", json.dumps(values)).hexdigest()


def user_sessions_end(*, user: User, keep: str | None = None) -> int:
    """End every session of `user` (all devices), except the session `keep`."""
    sessions = Session.objects.filter(user=user)
    if keep:
        sessions = sessions.exclude(session_key=keep)
    count, _deleted = sessions.delete()
    return count


@transaction.atomic
def user_create(*, actor: User, values: dict, password: str) -> User:
    _refuse_other_fields(values, CREATE_FIELDS)
    username = values.get("username", "")
    user = User(**{name: values.get(name, "") for name in ["username", *DETAIL_FIELDS]})
    user.full_clean(exclude=["password"], validate_unique=False)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("A user with that username already exists.")})
    groups = _role_groups(values.get("roles", []))
    _validate_password(password, user)
    user.set_password(password)
    try:
        # Two administrators creating the same username at once: the unique index decides.
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise ValidationError(
            {"username": _("A user with that username already exists.")}
        ) from None
    user.groups.set(groups)
    logger.info("%s created user %s with roles %s", actor.get_username(), username, _names(groups))
    return user


def user_for_system(*, username: str, first_name: str) -> User:
    """The user a system's own work is recorded under (the requests apps post through Open311):
    inactive, with no usable password and no role, so nobody logs in as it; made at first use."""
    try:
        with transaction.atomic():
            user, _created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first_name,
                    "is_active": False,
                    "password": make_password(None),
                },
            )
    except IntegrityError:
        # Made by a simultaneous first use.
        user = User.objects.get(username=username)
    return user


@transaction.atomic
def user_update(*, actor: User, user: User, values: dict, fingerprint: str) -> User:
    """Change a user's name, e-mail and roles."""
    _refuse_other_fields(values, UPDATE_FIELDS)
    current = _lock_for_change(actor, user, fingerprint)
    before = user_roles(current)
    groups = _role_groups(values.get("roles", []))
    if current.pk == actor.pk and _names(groups) != before:
        raise ValidationError({"roles": _("You cannot change your own roles.")})
    for name in DETAIL_FIELDS:
        setattr(current, name, values.get(name, ""))
    current.full_clean(exclude=["password"], validate_unique=False)
    current.save(update_fields=DETAIL_FIELDS)
    current.groups.set(groups)
    logger.info(
        "%s changed user %s: name %r, e-mail %r, roles %s -> %s",
        actor.get_username(),
        current.get_username(),
        current.get_full_name(),
        current.email,
        before,
        _names(groups),
    )
    return current


@transaction.atomic
def user_set_active(*, actor: User, user: User, active: bool, fingerprint: str) -> User:
    """Deactivate (the user can no longer log in, and every session ends) or reactivate."""
    current = _lock_for_change(actor, user, fingerprint)
    if current.pk == actor.pk and not active:
        raise ValidationError({"is_active": _("You cannot deactivate yourself.")})
    current.is_active = active
    current.save(update_fields=["is_active"])
    ended = 0 if active else user_sessions_end(user=current)
    logger.info(
        "%s %s user %s (%d sessions ended)",
        actor.get_username(),
        "reactivated" if active else "deactivated",
        current.get_username(),
        ended,
    )
    return current


@transaction.atomic
def user_set_password(*, actor: User, user: User, password: str, fingerprint: str) -> User:
    """An administrator sets a new password for someone who lost theirs; every session of that
    user ends. Their own password people change on the password page, knowing the old one."""
    current = _lock_for_change(actor, user, fingerprint)
    if current.pk == actor.pk:
        raise ValidationError(
            {"password": _("Change your own password with “Change password” in the top bar.")}
        )
    _validate_password(password, current)
    current.set_password(password)
    current.save(update_fields=["password"])
    ended = user_sessions_end(user=current)
    logger.info(
        "%s reset the password of user %s (%d sessions ended)",
        actor.get_username(),
        current.get_username(),
        ended,
    )
    return current


def user_password_changed(*, user: User, keep: str | None) -> None:
    """After someone changed their own password (Django's password change form saved it): their
    other sessions end, the one they changed it in stays."""
    ended = user_sessions_end(user=user, keep=keep)
    logger.info(
        "%s changed their own password (%d other sessions ended)", user.get_username(), ended
    )


def user_logged_out_everywhere(*, user: User) -> None:
    ended = user_sessions_end(user=user)
    logger.info("%s logged out (%d sessions ended)", user.get_username(), ended)


# Rules ---------------------------------------------------------------------------------------


def _lock_for_change(actor: User, user: User, fingerprint: str) -> User:
    """The user's row, locked until the transaction ends, if the actor may change it and nobody
    changed it since the form showed it."""
    current = User.objects.select_for_update().get(pk=user.pk)
    if current.is_superuser and not actor.is_superuser:
        raise ValidationError(
            {NON_FIELD_ERRORS: _("Only a superuser can change a superuser.")}, code="superuser"
        )
    if fingerprint != user_fingerprint(current):
        raise EditConflict(current)
    return current


def _refuse_other_fields(values: dict, allowed: list[str]) -> None:
    other = sorted(set(values) - set(allowed))
    if other:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: _(
                    "Superuser and staff status and single permissions are granted only by a "
                    "superuser, in Django's administration."
                )
            },
            code="forbidden",
        )


def _role_groups(names: list[str]) -> list[Group]:
    if not names:
        raise ValidationError({"roles": _("Choose at least one role.")})
    unknown = [name for name in names if name not in ROLE_NAMES]
    if unknown:
        raise ValidationError({"roles": _("Choose among the four roles only.")})
    groups = list(Group.objects.filter(name__in=names))
    if len(groups) != len(set(names)):
        raise ValidationError({"roles": _("A role is missing from the database.")})
    return groups


def _names(groups: list[Group]) -> list[str]:
    present = {group.name for group in groups}
    return [name for name in ROLE_NAMES if name in present]


def _validate_password(password: str, user: User) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.error_list}) from None
