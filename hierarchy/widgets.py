import re

from django import forms
from django.utils.translation import gettext_lazy as _

from callcenter.inputs import parse_id
from hierarchy.models import Department, ProblemCode, ServiceCategory, ServiceProvider

RESULTS_LIMIT = 20
SAFE_NAME = re.compile(r"^[\w-]{1,100}$")


class ProblemCodePicker(forms.Widget):
    """Pick an active problem code by typing part of its code, name or category, or by walking
    Department → Provider → Category. The choices are radio buttons named like the field, so
    picking needs no script and works with the arrow keys; HTMX only fetches them."""

    template_name = "hierarchy/widgets/problem_code_picker.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        selected = self.selected_code(value)
        context["widget"].update(
            picker_results(name, context["widget"]["attrs"]["id"], selected=selected)
        )
        context["widget"].update(picker_browse(name, context["widget"]["attrs"]["id"]))
        return context

    @staticmethod
    def selected_code(value) -> ProblemCode | None:
        pk = parse_id(value if isinstance(value, int) else str(value or ""))
        if pk is None:
            return None
        return ProblemCode.objects.usable().with_path().filter(pk=pk).first()


def picker_results(
    name: str,
    picker_id: str,
    *,
    selected: ProblemCode | None = None,
    query: str = "",
    category: ServiceCategory | None = None,
) -> dict:
    """The radio list: the codes matching the query (or in the category), the selected one first."""
    codes = ProblemCode.objects.usable().with_path()
    if category is not None:
        matches = list(codes.filter(category=category).order_by("code")[: RESULTS_LIMIT + 1])
    else:
        matches = list(codes.matching(query)[: RESULTS_LIMIT + 1])
    more = len(matches) > RESULTS_LIMIT
    matches = matches[:RESULTS_LIMIT]
    if selected is not None and selected not in matches:
        matches.insert(0, selected)
    return {
        "name": name,
        "picker_id": picker_id,
        "codes": matches,
        "selected_id": selected.pk if selected else None,
        "query": query,
        "searched": bool(query) or category is not None,
        "more": more,
    }


def picker_browse(
    name: str,
    picker_id: str,
    department: Department | None = None,
    provider: ServiceProvider | None = None,
    category: ServiceCategory | None = None,
) -> dict:
    """The three dependent selects; each offers only usable entries under the one chosen above,
    and stays disabled until that one is chosen."""
    return {
        "name": name,
        "picker_id": picker_id,
        "selects": [
            {
                "key": "department",
                "label": _("Department"),
                "prompt": _("Choose a department"),
                "choices": Department.objects.usable(),
                "chosen": department,
                "enabled": True,
            },
            {
                "key": "provider",
                "label": _("Service provider"),
                "prompt": _("Choose a service provider"),
                "choices": provider_choices(department),
                "chosen": provider,
                "enabled": department is not None,
            },
            {
                "key": "category",
                "label": _("Service category"),
                "prompt": _("Choose a service category"),
                "choices": category_choices(provider),
                "chosen": category,
                "enabled": provider is not None,
            },
        ],
    }


def provider_choices(department: Department | None):
    if department is None:
        return ServiceProvider.objects.none()
    return ServiceProvider.objects.usable().filter(department=department)


def category_choices(provider: ServiceProvider | None):
    if provider is None:
        return ServiceCategory.objects.none()
    return ServiceCategory.objects.usable().filter(provider=provider)
