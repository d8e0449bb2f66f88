from django import forms
from django.utils.translation import gettext_lazy as _

from callcenter.widgets import DateTimeLocalInput
from workorders.models import WorkOrder


class WorkOrderForm(forms.ModelForm):
    """Status and details of a work order, as agents and supervisors change them."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed to cancel; shown on the linked requests."),
    )

    class Meta:
        model = WorkOrder
        fields = ["status", "assignee", "due_at", "priority", "notes"]
        widgets = {"due_at": DateTimeLocalInput, "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version
        # A work order without a due date could never be late (work_order_update refuses it).
        self.fields["due_at"].required = True

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}
