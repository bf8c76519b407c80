"""The periodic jobs in the admin: support managers switch them off and on and run them now; only superusers
change what a job runs. The task and its arguments decide what a worker does with the support address —
`accounts.send_account_mail` with arguments of one's choosing would mail anyone, every minute."""

from django import forms
from django.contrib import admin
from django_celery_beat.admin import PeriodicTaskAdmin
from django_celery_beat.models import PeriodicTask


class PeriodicTaskSwitchForm(forms.ModelForm):
    class Meta:
        model = PeriodicTask
        fields = ["enabled"]


admin.site.unregister(PeriodicTask)


@admin.register(PeriodicTask)
class GuardedPeriodicTaskAdmin(PeriodicTaskAdmin):
    def _edits_jobs(self, request) -> bool:
        return request.user.is_superuser

    def get_form(self, request, obj=None, **kwargs):
        if not self._edits_jobs(request):
            kwargs["form"] = PeriodicTaskSwitchForm
        return super().get_form(request, obj, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if self._edits_jobs(request):
            return fieldsets
        # "regtask" is the full form's list of registered tasks; the task itself is shown read-only.
        return [
            (name, {**options, "fields": [field for field in options["fields"] if field != "regtask"]})
            for name, options in fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):
        if self._edits_jobs(request):
            return super().get_readonly_fields(request, obj)
        fields = [field for _name, options in self.get_fieldsets(request, obj) for field in options["fields"]]
        return [field for field in fields if field != "enabled"]

    def has_add_permission(self, request) -> bool:
        return self._edits_jobs(request) and super().has_add_permission(request)
