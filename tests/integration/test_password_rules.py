"""Django's password validators on every way to set a password: at least 12 characters, not
a common one, not like the user's name or email, not all digits."""

import pytest

from plm.directory.models import User
from tests.builders import make_user, plm


@pytest.fixture
def root(campus) -> User:  # type: ignore[no-untyped-def]
    return make_user("root", "root@example.com", sysadmin=True)


@pytest.mark.parametrize(
    "weak",
    [
        "password",
        "12345678",
        "short-pw",
        "839274659102837",
        "root-root@example.com",
    ],
)
def test_set_password_refuses_weak_passwords(root, weak) -> None:
    run = plm("users", "set-password", "root", "--password-stdin", input=weak + "\n")
    assert run.code == 2
    assert "invalid_argument" in run.stderr and "Password refused" in run.stderr
    root.refresh_from_db()
    assert not root.has_usable_password()


def test_set_password_takes_a_strong_one(root) -> None:
    run = plm("users", "set-password", "root", "--password-stdin", input="amber-Quartz-river-42\n")
    assert run.code == 0, run.stderr
    root.refresh_from_db()
    assert root.check_password("amber-Quartz-river-42")


def test_demo_data_refuses_a_weak_demo_password(db, monkeypatch) -> None:
    monkeypatch.setenv("PLM_DEMO_PASSWORD", "12345678")
    run = plm("demo-data")
    assert run.code == 2 and "Password refused" in run.stderr
    assert not User.objects.exists()


def test_demo_data_generates_a_password_that_passes_the_rules(db, monkeypatch) -> None:
    import re

    from django.contrib.auth.password_validation import validate_password

    monkeypatch.delenv("PLM_DEMO_PASSWORD", raising=False)
    run = plm("demo-data")
    assert run.code == 0, run.stderr
    password = re.search(r"with password '([^']+)'", run.stdout)
    assert password is not None
    admin = User.objects.get(username="admin")
    validate_password(password.group(1), admin)  # raises if it does not pass
    assert admin.check_password(password.group(1))
