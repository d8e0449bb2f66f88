from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HierarchyConfig(AppConfig):
    name = "hierarchy"
    verbose_name = _("Service catalogue")
