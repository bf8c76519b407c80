"""Turn DRF's plain tokens into hashed API tokens with the same secret, then drop DRF's table.

A client's old 40-hex key keeps working: knox finds a token by the first characters of whatever is sent
and compares the hash of the whole, so keys made before the kbp_ prefix match as they are. Each gets the
usual lifetime from now. The table is read with SQL because rest_framework.authtoken is no longer
installed (a fresh database never had it); its migration records go with it, so installing the app again
one day would build the table anew.
"""

import datetime

from django.db import migrations
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from knox.crypto import hash_token
from knox.settings import CONSTANTS, knox_settings

OLD_TABLE = "authtoken_token"


def _aware(value) -> datetime.datetime:
    # SQLite may hand back text, and a naive value is UTC (Django stores UTC with USE_TZ).
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is None:
        return timezone.now()
    return value if timezone.is_aware(value) else value.replace(tzinfo=datetime.UTC)


def move_drf_tokens(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if OLD_TABLE not in connection.introspection.table_names(cursor):
            return
        table = connection.ops.quote_name(OLD_TABLE)
        cursor.execute(f"SELECT {connection.ops.quote_name('key')}, user_id, created FROM {table}")  # noqa: S608
        rows = cursor.fetchall()
        ApiToken = apps.get_model("accounts", "ApiToken")
        expiry = timezone.now() + knox_settings.TOKEN_TTL
        ApiToken.objects.using(connection.alias).bulk_create(
            ApiToken(
                token_key=key[: CONSTANTS.TOKEN_KEY_LENGTH],
                digest=hash_token(key),
                user_id=user_id,
                created=_aware(created),
                expiry=expiry,
            )
            for key, user_id, created in rows
        )
        # bulk_create sets auto_now_add fields itself; keep each token's real age.
        for key, _user_id, created in rows:
            ApiToken.objects.using(connection.alias).filter(digest=hash_token(key)).update(created=_aware(created))
        cursor.execute(f"DROP TABLE {table}")
        cursor.execute("DELETE FROM django_migrations WHERE app = %s", ["authtoken"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0006_api_tokens")]

    # Backwards there is nothing to restore: the plain keys are gone by design.
    operations = [migrations.RunPython(move_drf_tokens, migrations.RunPython.noop)]
