"""What every app's access rules share; each app's own access.py says who may do what."""

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied


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
