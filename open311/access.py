"""Who may do what with Open311: the one place views and templates ask."""

from django.db.models import QuerySet

from open311.models import ApiKey


def can_manage_keys(user) -> bool:
    """Issue and revoke the API keys apps post with (administrators)."""
    return user.has_perm("open311.change_apikey")


def manageable_keys(user) -> QuerySet[ApiKey]:
    """The keys the user may see and revoke: every key for those who manage keys, else none."""
    return ApiKey.objects.all() if can_manage_keys(user) else ApiKey.objects.none()
