from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.models import User
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from accounts import services
from accounts.access import can_add_users, can_change_users, can_view_users, may_manage
from accounts.filters import UserFilter
from accounts.forms import (
    OwnPasswordChangeForm,
    UserActiveForm,
    UserCreateForm,
    UserEditForm,
    UserPasswordForm,
)
from accounts.services import (
    CREATE_FIELDS,
    DETAIL_FIELDS,
    UPDATE_FIELDS,
    user_fingerprint,
    user_password_changed,
    user_roles,
)
from callcenter.access import require
from callcenter.concurrency import EditConflict, save_or_conflict
from callcenter.htmx import render_page
from callcenter.pages import render_list
from callcenter.roles import LABELS

PAGE_SIZE = 50

CONFLICT_MESSAGE = gettext_lazy(
    "Someone changed this user while you were looking at it. Check what changed, then try again."
)
EDIT_CONFLICT = gettext_lazy(
    "Someone changed this user while you were editing it. Your changes are still in the form; "
    "compare them with theirs below, then save again to keep yours."
)


def saved(request: HttpRequest, user: User, message: str) -> HttpResponse:
    messages.success(request, message % {"user": user.get_username()})
    url = user_url(user)
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def user_url(user: User) -> str:
    return reverse("accounts:user_detail", args=[user.pk])


def add_service_error(form, error: ValidationError) -> None:
    """A service's refusal next to the field it names, or above the form when it names none
    that the form shows."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def manageable_or_403(request: HttpRequest, pk: int) -> User:
    user = get_object_or_404(User, pk=pk)
    if not may_manage(request.user, user):
        raise PermissionDenied
    return user


# List and detail ---------------------------------------------------------------------------------


@require(can_view_users)
def user_list(request: HttpRequest) -> HttpResponse:
    users = User.objects.prefetch_related("groups").order_by("username")
    filterset = UserFilter(request.GET or None, queryset=users)
    return render_list(
        request,
        "accounts/user_list.html",
        filterset.qs,
        {"filter": filterset, "can_add": can_add_users(request.user)},
        size=PAGE_SIZE,
    )


@require(can_view_users)
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(User.objects.prefetch_related("groups"), pk=pk)
    return render_page(
        request,
        "accounts/user_detail.html",
        {
            "shown": user,
            "roles": role_labels(user_roles(user)),
            "can_manage": may_manage(request.user, user),
            "can_change": can_change_users(request.user),
            "is_self": user.pk == request.user.pk,
            "active_form": UserActiveForm(user=user, initial={"active": not user.is_active}),
        },
    )


def role_labels(names: list[str]) -> list[str]:
    return [str(LABELS[name]) for name in names if name in LABELS]


# Changes -----------------------------------------------------------------------------------------


def form_page(request: HttpRequest, template: str, form, **context) -> HttpResponse:
    return render_page(request, template, {"form": form, **context}, "form")


@require(can_add_users)
def user_create(request: HttpRequest) -> HttpResponse:
    form = UserCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_create(
                actor=request.user,
                values=form.values(CREATE_FIELDS),
                password=form.cleaned_data["password"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            return saved(request, user, _("User “%(user)s” was created."))
    return form_page(request, "accounts/user_form.html", form)


@require(can_change_users)
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = manageable_or_403(request, pk)
    form = UserEditForm(request.POST if request.method == "POST" else None, user=user)
    differences = []
    if request.method == "POST" and form.is_valid():
        attempt = save_or_conflict(
            form,
            lambda: services.user_update(
                actor=request.user,
                user=user,
                values=form.values(UPDATE_FIELDS),
                fingerprint=form.cleaned_data["fingerprint"],
            ),
            EDIT_CONFLICT,
            rebind=lambda current, message: rebind_at_current_state(form, current, message),
            compare=user_differences,
            refuse=add_service_error,
        )
        if attempt.saved is not None:
            return saved(request, attempt.saved, _("User “%(user)s” was saved."))
        form, user, differences = attempt.form, attempt.current or user, attempt.differences
    return form_page(
        request,
        "accounts/user_form.html",
        form,
        shown=user,
        is_self=user.pk == request.user.pk,
        differences=differences,
    )


def rebind_at_current_state(form, current: User, message: str):
    """The input again, now carrying the fingerprint of the user as saved meanwhile (users have
    no version: the fingerprint stands for one), so that saving once more replaces it
    knowingly; with `message` at the top of the form."""
    data = form.data.copy()
    data["fingerprint"] = user_fingerprint(current)
    rebound = type(form)(data, user=current)
    rebound.is_valid()
    rebound.add_error(None, message)
    return rebound


def user_differences(form: UserEditForm, current: User) -> list[dict]:
    """What the other person saved and what this user typed, where they differ, roles
    included."""
    theirs_roles = user_roles(current)
    differences = [
        {
            "label": form.fields[name].label,
            "theirs": getattr(current, name),
            "yours": form.cleaned_data[name],
        }
        for name in DETAIL_FIELDS
        if getattr(current, name) != form.cleaned_data[name]
    ]
    if theirs_roles != [name for name in LABELS if name in form.cleaned_data["roles"]]:
        differences.append(
            {
                "label": form.fields["roles"].label,
                "theirs": ", ".join(role_labels(theirs_roles)),
                "yours": ", ".join(role_labels(form.cleaned_data["roles"])),
            }
        )
    return differences


@require_POST
@require(can_change_users)
def user_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    user = manageable_or_403(request, pk)
    form = UserActiveForm(request.POST, user=user)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get(NON_FIELD_ERRORS, [_("Try again.")])))
        return redirect(user_url(user))
    active = form.cleaned_data["active"]
    try:
        user = services.user_set_active(
            actor=request.user,
            user=user,
            active=active,
            fingerprint=form.cleaned_data["fingerprint"],
        )
    except EditConflict:
        messages.error(request, CONFLICT_MESSAGE)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        message = (
            _("User “%(user)s” was reactivated.")
            if active
            else _("User “%(user)s” was deactivated and logged out everywhere.")
        )
        messages.success(request, message % {"user": user.get_username()})
    return redirect(user_url(user))


@require(can_change_users)
def user_password(request: HttpRequest, pk: int) -> HttpResponse:
    user = manageable_or_403(request, pk)
    form = UserPasswordForm(request.POST if request.method == "POST" else None, user=user)
    if request.method == "POST" and form.is_valid():
        attempt = save_or_conflict(
            form,
            lambda: services.user_set_password(
                actor=request.user,
                user=user,
                password=form.cleaned_data["password"],
                fingerprint=form.cleaned_data["fingerprint"],
            ),
            CONFLICT_MESSAGE,
            rebind=lambda current, message: rebind_at_current_state(form, current, message),
            compare=None,
            refuse=add_service_error,
        )
        if attempt.saved is not None:
            message = _("The password of “%(user)s” was set; they were logged out.")
            return saved(request, attempt.saved, message)
        form, user = attempt.form, attempt.current or user
    return form_page(
        request,
        "accounts/user_password.html",
        form,
        shown=user,
        is_self=user.pk == request.user.pk,
    )


# One's own password ------------------------------------------------------------------------------


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, in the layout; afterwards every other session of the user ends
    (Django keeps the current one with update_session_auth_hash)."""

    template_name = "registration/password_change_form.html"
    form_class = OwnPasswordChangeForm

    def form_valid(self, form):
        response = super().form_valid(form)
        user_password_changed(user=self.request.user, keep=self.request.session.session_key)
        return response


password_change = PasswordChangeView.as_view()
password_change_done = auth_views.PasswordChangeDoneView.as_view(
    template_name="registration/password_change_done.html"
)


class LogoutEverywhereView(auth_views.LogoutView):
    """Logging out ends every session of the user, on every device, not only this one."""

    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            services.user_logged_out_everywhere(user=request.user)
        return super().post(request, *args, **kwargs)


logout = LogoutEverywhereView.as_view()
