# The `assignments` change count on SQLite (table change_counts, directory 0006): triggers add
# one for every assignment removed or moved (an added one moves sqlite_sequence). A long import
# keeps the holdings it has read from batch to batch while the count is what its own last
# batch left (licensing/ledger.py, HoldingsInMemory). PostgreSQL: no counter (see directory
# 0006).

from django.db import migrations

TABLE = "change_counts"
TRIGGERS = {
    "licensing_assignment_deleted": "AFTER DELETE ON licensing_assignment",
    "licensing_assignment_changed": "AFTER UPDATE OF user_id, license_id ON licensing_assignment",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute(f"INSERT OR IGNORE INTO {TABLE} (name, n) VALUES ('assignments', 0)")
    for name, when in TRIGGERS.items():
        schema_editor.execute(
            f"CREATE TRIGGER IF NOT EXISTS {name} {when} FOR EACH ROW BEGIN "
            f"UPDATE {TABLE} SET n = n + 1 WHERE name = 'assignments'; END"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for name in TRIGGERS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
    schema_editor.execute(f"DELETE FROM {TABLE} WHERE name = 'assignments'")


class Migration(migrations.Migration):

    dependencies = [
        ("directory", "0006_change_counts"),
        ("licensing", "0003_assignment_user_index_in_unique"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
