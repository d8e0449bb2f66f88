"""Who may do what with Open311: the one place views and templates ask."""

from django.db.models import QuerySet

from hierarchy.models import ProblemCode
from open311.models import ApiKey


def can_manage_keys(user) -> bool:
    """Issue and revoke the API keys apps post with (administrators)."""
    return user.has_perm("open311.change_apikey")


def manageable_keys(user) -> QuerySet[ApiKey]:
    """The keys the user may see and revoke: every key for those who manage keys, else none."""
    return ApiKey.objects.all() if can_manage_keys(user) else ApiKey.objects.none()


def can_keep_questions(user) -> bool:
    """Say what the public services ask an app's reporter (administrators)."""
    return user.has_perm("open311.change_serviceattribute")


def questionable_codes(user) -> QuerySet[ProblemCode]:
    """The codes whose questions the user may keep: the public ones, for those who keep them."""
    if not can_keep_questions(user):
        return ProblemCode.objects.none()
    return ProblemCode.objects.filter(is_public=True)
