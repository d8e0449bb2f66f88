"""Reports read the other apps' tables; their only model carries the permission to read them."""

from django.db import models


class ReportAccess(models.Model):
    """No table: the permission "read the manager reports" (managers and supervisors)."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_reports", "Can read the manager reports")]

    def __str__(self) -> str:
        return "reports"
