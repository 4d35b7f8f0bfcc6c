# Names, emails and organization names are stored in Unicode NFC, and matched by NFC+casefold
# keys (plm.core.text.fold): rows saved before (decomposed accents pasted from macOS) are
# brought to that form. Only rows with non-ASCII text can differ, so only those are read.

import unicodedata

from django.db import migrations


def _nfc(text):
    return unicodedata.normalize("NFC", text) if text and not text.isascii() else text


def _fold(text):
    return _nfc(text).casefold() if text else text


def forwards(apps, schema_editor):
    User = apps.get_model("directory", "User")
    Organization = apps.get_model("directory", "Organization")
    for user in User.objects.iterator(chunk_size=2000):
        fields = (user.username, user.email, user.first_name, user.last_name)
        if all(not value or value.isascii() for value in fields):
            continue
        user.username, user.email = _nfc(user.username), _nfc(user.email)
        user.first_name, user.last_name = _nfc(user.first_name), _nfc(user.last_name)
        user.username_key = _fold(user.username)
        user.email_key = _fold(user.email) or None
        user.save(
            update_fields=["username", "email", "first_name", "last_name", "username_key", "email_key"]
        )
    for org in Organization.objects.iterator(chunk_size=2000):
        if org.name.isascii():
            continue
        org.name, org.name_key = _nfc(org.name), _fold(org.name)
        org.save(update_fields=["name", "name_key"])


class Migration(migrations.Migration):
    dependencies = [("directory", "0003_scim_provisioning")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
