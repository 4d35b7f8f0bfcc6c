# Change counters on SQLite (table change_counts): triggers add one to the `directory` count
# for every update or deletion of a user's names, email or active flag and of a role grant.
# Inserts need no trigger: every table here is AUTOINCREMENT, so sqlite_sequence's high-water
# mark moves with each (a trigger would cost an insert a statement journal: +65% on a users
# import). A long import reads the directory into memory once and checks both before each
# batch (bulk.change_count; directory/people.py, DirectoryInMemory); licensing 0004 adds the
# `assignments` count. Not a model: `flush` leaves it alone.
# PostgreSQL gets no counters: one row that every writer updates would serialize them across
# hosts; there each batch looks its users and holdings up.

from django.db import migrations

TABLE = "change_counts"
TRIGGERS = {
    "directory_user_deleted": "AFTER DELETE ON directory_user",
    "directory_user_changed": (
        "AFTER UPDATE OF username, email, username_key, email_key, is_active ON directory_user"
    ),
    "directory_rolegrant_deleted": "AFTER DELETE ON directory_rolegrant",
    "directory_rolegrant_changed": "AFTER UPDATE ON directory_rolegrant",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute(
        f"CREATE TABLE IF NOT EXISTS {TABLE} (name text NOT NULL PRIMARY KEY, n integer NOT NULL)"
    )
    schema_editor.execute(f"INSERT OR IGNORE INTO {TABLE} (name, n) VALUES ('directory', 0)")
    for name, when in TRIGGERS.items():
        schema_editor.execute(
            f"CREATE TRIGGER IF NOT EXISTS {name} {when} FOR EACH ROW BEGIN "
            f"UPDATE {TABLE} SET n = n + 1 WHERE name = 'directory'; END"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for name in TRIGGERS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
    schema_editor.execute(f"DROP TABLE IF EXISTS {TABLE}")


class Migration(migrations.Migration):

    dependencies = [
        ("directory", "0005_inactive_users_index"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
