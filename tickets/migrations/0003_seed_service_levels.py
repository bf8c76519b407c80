"""Seed the default service levels; support managers edit them in the admin afterwards.

Targets are minutes of counted time on the policy's calendar; a "day" is 24 counted hours.
"""

from django.db import migrations

HOUR, DAY = 60, 24 * 60

# plan: (calendar name, {priority: (first response, resolution)})
DEFAULTS = {
    "enterprise": ("Around the clock (24×7)", {1: (15, 2 * HOUR), 2: (HOUR, DAY), 3: (4 * HOUR, 2 * DAY),
                                               4: (4 * HOUR, 5 * DAY)}),
    "professional": ("Business hours (Mon–Fri 09:00–18:00)", {1: (2 * HOUR, 8 * HOUR), 2: (4 * HOUR, DAY),
                                                             3: (8 * HOUR, 2 * DAY), 4: (DAY, 5 * DAY)}),
    "basic": ("Business hours (Mon–Fri 09:00–18:00)", {1: (4 * HOUR, DAY), 2: (8 * HOUR, 2 * DAY),
                                                      3: (DAY, 5 * DAY), 4: (2 * DAY, 10 * DAY)}),
}  # fmt: skip


def seed(apps, schema_editor):
    calendar_model = apps.get_model("tickets", "ServiceCalendar")
    policy_model = apps.get_model("tickets", "SlaPolicy")
    target_model = apps.get_model("tickets", "SlaTarget")
    calendar_model.objects.get_or_create(name="Around the clock (24×7)", defaults={"always_open": True})
    calendar_model.objects.get_or_create(name="Business hours (Mon–Fri 09:00–18:00)")
    for plan, (calendar_name, targets) in DEFAULTS.items():
        policy, _created = policy_model.objects.get_or_create(
            plan=plan, defaults={"calendar": calendar_model.objects.get(name=calendar_name)}
        )
        for priority, (first_response, resolution) in targets.items():
            target_model.objects.get_or_create(
                policy=policy,
                priority=priority,
                defaults={"first_response_minutes": first_response, "resolution_minutes": resolution},
            )
    apps.get_model("tickets", "ServiceIndexWeights").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0002_support_desk")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
