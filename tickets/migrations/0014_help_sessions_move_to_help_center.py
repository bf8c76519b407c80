"""Help sessions, their events and content gaps leave the support desk for the help center (helpcenter 0001).

In the migration state only: the tables, their rows, indexes and constraints stay where they are, under their
names, and the help center's models keep using them.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0013_remove_event_words"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name="HelpSessionEvent"),
                migrations.DeleteModel(name="HelpSession"),
                migrations.DeleteModel(name="ContentGap"),
            ],
        ),
    ]
