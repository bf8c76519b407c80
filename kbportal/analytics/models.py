from django.db import models
from django.utils.translation import gettext_lazy as _


class Dashboard(models.Model):
    """No table: the holder of the permission to read the service analytics (granted to support managers)."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_service_analytics", _("Can see the service analytics dashboard and its exports"))]

    def __str__(self) -> str:
        return str(_("Service analytics"))
