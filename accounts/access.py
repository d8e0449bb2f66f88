"""Who may manage users: the one place the views and templates ask."""

from django.contrib.auth.models import User


def can_view_users(user) -> bool:
    return user.has_perm("auth.view_user")


def can_add_users(user) -> bool:
    return user.has_perm("auth.add_user")


def can_change_users(user) -> bool:
    return user.has_perm("auth.change_user")


def may_manage(actor, target: User) -> bool:
    """Whether `actor` may change `target` on the users page: a superuser only by a superuser
    (and what makes one, only in Django's admin)."""
    return can_change_users(actor) and (actor.is_superuser or not target.is_superuser)


def is_admin_site_user(request) -> bool:
    """Django's admin can grant anything, so it is for superusers only (admin.site.has_permission);
    everyone else manages users on the application's page."""
    return request.user.is_active and request.user.is_superuser
