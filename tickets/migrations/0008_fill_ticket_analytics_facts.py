"""Fill the analytics facts of the tickets that existed before 0007, from their timestamps, pauses and events.

``manage.py fill_ticket_facts`` runs the same function with the current models (after a policy edit, say).
"""

from django.db import migrations

from tickets.analytics_facts import fill_ticket_facts


def fill(apps, schema_editor):
    fill_ticket_facts(
        ticket_model=apps.get_model("tickets", "Ticket"),
        policy_model=apps.get_model("tickets", "SlaPolicy"),
        event_model=apps.get_model("tickets", "Event"),
    )


class Migration(migrations.Migration):
    dependencies = [("tickets", "0007_ticket_analytics_facts")]

    # Going back, 0007 drops the columns; there is nothing to undo here.
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
