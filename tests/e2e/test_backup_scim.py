"""plm backup -> plm restore keeps what SCIM provisioning stores: SCIM token hashes, role
groups and the users' external ids."""

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.e2e.test_backup_restore import plm


def test_backup_and_restore_keep_scim_tokens_groups_and_external_ids(tmp_path: Path) -> None:
    source, target = f"sqlite:///{tmp_path}/a.sqlite3", f"sqlite:///{tmp_path}/b.sqlite3"
    assert plm(source, "migrate", home=tmp_path).returncode == 0
    plm(source, "orgs", "add", "Science", home=tmp_path)
    token = json.loads(
        plm(source, "scim-tokens", "create", "entra", "--json", home=tmp_path).stdout
    )
    script = (
        "from plm.directory.provisioning import UserData, group_create, user_create\n"
        "from plm.directory.scim_tokens import scim_actor\n"
        "a = scim_actor('entra')\n"
        "u = user_create(actor=a, data=UserData('ann', external_id='obj-1'))\n"
        "group_create(actor=a, display_name='Science/Academic Staff', external_id='g-1',"
        " member_pks=[u.pk])\n"
    )
    env = dict(os.environ, PLM_DATABASE_URL=source, PLM_HOME=str(tmp_path))
    env["DJANGO_SETTINGS_MODULE"] = "plm.settings"
    run = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + script],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    backup = tmp_path / "b.jsonl.gz"
    assert plm(source, "backup", str(backup), home=tmp_path).returncode == 0
    assert plm(target, "migrate", home=tmp_path).returncode == 0
    restored = plm(target, "restore", str(backup), "--json", home=tmp_path)
    assert restored.returncode == 0, restored.stderr
    counts = json.loads(restored.stdout)
    assert counts["directory.ScimToken"] == 1 and counts["directory.ScimGroup"] == 1
    listed = json.loads(plm(target, "scim-tokens", "list", "--json", home=tmp_path).stdout)
    assert [(t["id"], t["name"]) for t in listed] == [(token["id"], "entra")]
    users = json.loads(plm(target, "users", "list", "--json", home=tmp_path).stdout)
    assert [u["username"] for u in users] == ["ann"]
    assert users[0]["roles"] == [{"organization": "Science", "role": "Academic Staff"}]
