from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from accounts.services import user_fingerprint, user_roles
from callcenter import roles

# What Django's admin would take and this page never offers: posted anyway, the form is refused.
FORBIDDEN_FIELDS = ["is_superuser", "is_staff", "user_permissions", "groups"]


# The password validators' rules as one sentence: a field's hint is a paragraph, with no room
# for the list Django makes of them.
PASSWORD_RULES = lazy(lambda: " ".join(password_validation.password_validators_help_texts()), str)()


class OwnPasswordChangeForm(PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = PASSWORD_RULES


class RolesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        super().__init__(
            choices=list(roles.LABELS.items()),
            label=_("Roles"),
            help_text=_("What the user may do. Superuser status is given only in the admin."),
            error_messages={"required": _("Choose at least one role.")},
            **kwargs,
        )


def password_fields() -> tuple[forms.CharField, forms.CharField]:
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=PASSWORD_RULES,
    )
    again = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("The same password once more, to catch a typing mistake."),
    )
    return password, again


class UserPageForm(forms.Form):
    """Every form of the users page refuses what only a superuser may grant, even when it was
    typed into a crafted request, and carries the fingerprint of the user it was opened for."""

    fingerprint = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            self.fields["fingerprint"].initial = user_fingerprint(user)
        else:
            del self.fields["fingerprint"]

    def clean(self):
        cleaned = super().clean()
        if any(name in self.data for name in FORBIDDEN_FIELDS):
            raise ValidationError(
                _(
                    "Superuser and staff status and single permissions are granted only by a "
                    "superuser, in Django's administration."
                ),
                code="forbidden",
            )
        return cleaned

    def clean_passwords(self) -> None:
        password = self.cleaned_data.get("password")
        again = self.cleaned_data.get("password_again")
        if password and again and password != again:
            self.add_error("password_again", _("The two passwords differ."))

    def values(self, names: list[str]) -> dict:
        return {name: self.cleaned_data[name] for name in names}


_user_fields = forms.fields_for_model(User, ["username", "first_name", "last_name", "email"])


class UserCreateForm(UserPageForm):
    username = _user_fields["username"]
    first_name = _user_fields["first_name"]
    last_name = _user_fields["last_name"]
    email = _user_fields["email"]
    roles = RolesField()
    password, password_again = password_fields()

    def clean(self):
        cleaned = super().clean()
        self.clean_passwords()
        return cleaned


class UserEditForm(UserPageForm):
    first_name = _user_fields["first_name"]
    last_name = _user_fields["last_name"]
    email = _user_fields["email"]
    roles = RolesField()

    def __init__(self, *args, user: User, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "first_name": user.first_name,
                "last_name": user.last_name,
                "email": user.email,
                "roles": user_roles(user),
            },
        )
        super().__init__(*args, user=user, **kwargs)


class UserPasswordForm(UserPageForm):
    password, password_again = password_fields()

    def clean(self):
        cleaned = super().clean()
        self.clean_passwords()
        return cleaned


class UserActiveForm(UserPageForm):
    active = forms.TypedChoiceField(
        choices=[("1", _("Active")), ("0", _("Inactive"))], coerce=lambda value: value == "1"
    )
