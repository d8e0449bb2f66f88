"""The catalogue's levels, so one set of views serves all of them.

URLs name a level by its slug (/catalogue/provider/12/); each level knows its model, its form
and the level below it.
"""

from dataclasses import dataclass

from django.http import Http404

from hierarchy import forms
from hierarchy.models import (
    CatalogueItem,
    Department,
    ProblemCode,
    ServiceCategory,
    ServiceProvider,
    StandardWorkOrder,
)


@dataclass(frozen=True)
class Level:
    slug: str
    model: type[CatalogueItem]
    form_class: type[forms.CatalogueItemForm]
    parent_slug: str | None = None
    child_slug: str | None = None
    children_name: str | None = None  # the related name of the entries listed below this one

    @property
    def verbose_name(self) -> str:
        return self.model._meta.verbose_name

    @property
    def verbose_name_plural(self) -> str:
        return self.model._meta.verbose_name_plural

    @property
    def parent(self) -> "Level | None":
        return LEVELS[self.parent_slug] if self.parent_slug else None

    @property
    def child(self) -> "Level | None":
        return LEVELS[self.child_slug] if self.child_slug else None

    @property
    def in_tree(self) -> bool:
        return self.slug != "standard-work-order"


LEVELS: dict[str, Level] = {
    level.slug: level
    for level in [
        Level("department", Department, forms.DepartmentForm, None, "provider", "providers"),
        Level(
            "provider",
            ServiceProvider,
            forms.ServiceProviderForm,
            "department",
            "category",
            "categories",
        ),
        Level(
            "category",
            ServiceCategory,
            forms.ServiceCategoryForm,
            "provider",
            "problem-code",
            "problem_codes",
        ),
        Level("problem-code", ProblemCode, forms.ProblemCodeForm, "category"),
        Level(
            "standard-work-order",
            StandardWorkOrder,
            forms.StandardWorkOrderForm,
            None,
            "problem-code",
            "problem_codes",
        ),
    ]
}


def level_or_404(slug: str) -> Level:
    try:
        return LEVELS[slug]
    except KeyError:
        raise Http404(slug) from None
