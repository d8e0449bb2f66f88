from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from callcenter import roles
from callcenter.inputs import parse_id
from callcenter.widgets import DateTimeLocalInput
from hierarchy.models import ProblemCode
from hierarchy.widgets import ProblemCodePicker
from requests_app.models import Channel, Customer, CustomerRequest, RequestTypeSetting, Status
from requests_app.phones import display_phone, normalise_phone
from requests_app.services import WorkOrderChoice
from workorders.models import WorkOrder


class NewRequestForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE)


class RequestForm(forms.ModelForm):
    """Every section of the request; the type decides which ones the agent sees."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(
        label=_("Reason for reopening"),
        required=False,
        widget=forms.TextInput,
        help_text=_("Needed when a supervisor reopens a closed request."),
    )
    # An action request's work order: an open one's number to link to, or "new"; empty lets
    # saving link to the open one for the problem at the place, or create one.
    work_order_choice = forms.CharField(label=_("Work order"), required=False)
    work_order_reason = forms.CharField(label=_("Reason for a new work order"), required=False)

    class Meta:
        model = CustomerRequest
        fields = [
            "request_type",
            "channel",
            "customer",
            "caller_phone",
            "caller_email",
            "caller_name",
            "problem_code",
            "work_address",
            "description",
            "comment",
            "answer_given",
            "status",
            "follow_up_due",
            "follow_up_assignee",
        ]
        widgets = {
            "request_type": forms.RadioSelect,
            "customer": forms.HiddenInput,
            "caller_phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
            "caller_email": forms.EmailInput(attrs={"autocomplete": "off"}),
            "caller_name": forms.TextInput(attrs={"autocomplete": "off"}),
            # Picking a code (Enter in the picker) moves on to the work address.
            "problem_code": ProblemCodePicker(attrs={"data-next": "id_work_address"}),
            "work_address": forms.Textarea(attrs={"rows": 2}),
            "description": forms.Textarea(attrs={"rows": 3}),
            "comment": forms.Textarea(attrs={"rows": 3}),
            "answer_given": forms.Textarea(attrs={"rows": 3}),
            "follow_up_due": DateTimeLocalInput,
        }

    def __init__(self, *args, may_reopen: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version
        if self.instance.status == Status.CLOSED:
            self._read_only(may_reopen)
        # Shown as people read it; stored and looked up in E.164.
        self.initial["caller_phone"] = display_phone(self.instance.caller_phone)
        current_code = self.instance.problem_code_id
        self.fields["problem_code"].queryset = (
            ProblemCode.objects.usable() | ProblemCode.objects.filter(pk=current_code)
        ).with_path()
        self.fields["follow_up_assignee"].queryset = (
            get_user_model()
            .objects.filter(is_active=True, groups__name__in=[roles.AGENT, roles.SUPERVISOR])
            .distinct()
            .order_by("username")
        )

    def _read_only(self, may_reopen: bool) -> None:
        """A closed request is read-only: its fields are disabled, so the browser does not post
        them and Django ignores them if posted. Who may reopen it changes the status (to Open)
        and gives the reason; editing comes after that save (request_save refuses the rest)."""
        editable = {"version", "status", "reason"} if may_reopen else {"version"}
        for name, field in self.fields.items():
            field.disabled = name not in editable
        self.fields["status"].choices = [
            (Status.CLOSED, Status.CLOSED.label),
            (Status.OPEN, Status.OPEN.label),
        ]

    @property
    def read_only(self) -> bool:
        return self.instance.status == Status.CLOSED

    def clean_work_order_choice(self) -> WorkOrder | str:
        value = self.cleaned_data["work_order_choice"]
        if value in ("", "new"):
            return value
        pk = parse_id(value)
        work_order = WorkOrder.objects.filter(pk=pk).first() if pk else None
        if work_order is None:
            raise ValidationError(_("Choose one of the work orders shown, or a new one."))
        return work_order

    def work_order(self) -> WorkOrderChoice:
        choice = self.cleaned_data["work_order_choice"]
        return WorkOrderChoice(
            link_to=choice if isinstance(choice, WorkOrder) else None,
            create_new=choice == "new",
            reason=self.cleaned_data["work_order_reason"],
        )

    def clean_caller_phone(self) -> str:
        typed = self.cleaned_data["caller_phone"].strip()
        return normalise_phone(typed) if typed else ""

    def clean_caller_email(self) -> str:
        return self.cleaned_data["caller_email"].strip().lower()

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class CustomerForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    phone_1 = forms.CharField(label=_("Phone"), required=False)
    phone_2 = forms.CharField(label=_("Second phone"), required=False)
    phone_3 = forms.CharField(label=_("Third phone"), required=False)

    class Meta:
        model = Customer
        fields = [
            "name",
            "email",
            "second_email",
            "postal_address",
            "address_alias",
            "preferred_language",
            "notes",
        ]
        widgets = {"postal_address": forms.Textarea(attrs={"rows": 3})}

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            for position, phone in enumerate(self.instance.phones.all()[:3], start=1):
                self.fields[f"phone_{position}"].initial = str(phone)

    def clean(self):
        cleaned = super().clean()
        for name in ("phone_1", "phone_2", "phone_3"):
            typed = cleaned.get(name, "").strip()
            if typed:
                try:
                    normalise_phone(typed)
                except ValidationError as error:
                    self.add_error(name, error)
        return cleaned

    def phones(self) -> list[str]:
        return [self.cleaned_data[name] for name in ("phone_1", "phone_2", "phone_3")]

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class RequestTypeSettingForm(forms.ModelForm):
    """One request type's setting; the page shows one such form per type."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = RequestTypeSetting
        fields = ["knowledge_search_required"]

    def __init__(self, *args, instance: RequestTypeSetting, **kwargs):
        # Each type's form posts on its own, so the names stay plain; the ids tell them apart.
        super().__init__(
            *args, instance=instance, auto_id=f"id_{instance.request_type}_%s", **kwargs
        )
        self.fields["version"].initial = instance.version
