"""Give the staff roles their part of the support desk (tickets, service levels, surveys)."""

from django.db import migrations

from kbportal.accounts.roles import grant_role_permissions

TICKET_READS = [
    f"tickets.view_{model}"
    for model in ("ticket", "message", "event", "attachment", "slapause", "surveyresponse", "agentavailability")
]
AGENT = [*TICKET_READS, "tickets.work_ticket"]
DESK_MODELS = (
    "ticket", "message", "event", "attachment", "slapause", "servicecalendar", "holiday", "slapolicy", "slatarget",
    "agentavailability", "serviceindexweights", "surveyresponse", "followupcase", "followupstage",
)  # fmt: skip
MANAGER = [
    *[f"tickets.{action}_{model}" for model in DESK_MODELS for action in ("add", "change", "delete", "view")],
    "tickets.work_ticket",
    "tickets.view_all_tiers",
]

ROLE_PERMISSIONS = {
    "Agent tier 1": AGENT,
    "Agent tier 2": AGENT,
    "Agent tier 3": AGENT,
    "Support manager": MANAGER,
}


def grant(apps, schema_editor):
    grant_role_permissions(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_create_staff_roles"),
        ("tickets", "0003_seed_service_levels"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
