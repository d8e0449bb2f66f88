"""Who may do what with the catalogue: the one place the views and templates ask."""

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied


def can_browse_catalogue(user) -> bool:
    return user.has_perm("hierarchy.view_problemcode")


def can_maintain_catalogue(user) -> bool:
    return user.has_perm("hierarchy.change_problemcode")


def require(check: Callable[..., bool]):
    """View decorator: 403 for a signed-in user who fails the check."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
