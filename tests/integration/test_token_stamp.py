"""An API token's last-use stamp never makes a read wait for the write lock (SQLite: an import
holds it a batch at a time); a stamp skipped is made by a later request."""

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import DatabaseError, connection

from plm.bulk import write_if_free
from plm.directory.actors import system_actor
from plm.directory.models import ApiToken, ScimToken
from plm.directory.scim_tokens import scim_token_actor, scim_token_create
from plm.directory.tokens import token_create, token_user
from tests.builders import make_user


@contextmanager
def write_lock_held_elsewhere() -> Iterator[None]:
    """Another connection holds SQLite's write lock, as an import's batch does."""
    writer = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        writer.execute("ROLLBACK")
        writer.close()


@pytest.mark.django_db(transaction=True)
def test_a_token_is_accepted_at_once_while_another_connection_holds_the_write_lock() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL locks rows: the stamp never waits for an import there")
    user = make_user("reader", "reader@example.com", sysadmin=True)
    _, raw = token_create(actor=system_actor(), user=user)
    with write_lock_held_elsewhere():  # waiting would take the busy timeout (60 s), then fail
        assert token_user(raw) == user
    assert ApiToken.objects.get(user=user).last_used_at is None  # skipped, not lost later:
    assert token_user(raw) == user
    assert ApiToken.objects.get(user=user).last_used_at is not None
    with connection.cursor() as cursor:  # and the connection's own patience is as it was
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] == 60_000


@pytest.mark.django_db(transaction=True)
def test_a_scim_token_is_accepted_at_once_while_another_connection_holds_the_write_lock() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL locks rows: the stamp never waits for an import there")
    _, raw = scim_token_create(actor=system_actor(), name="idp")
    with write_lock_held_elsewhere():
        assert scim_token_actor(raw) is not None
    assert ScimToken.objects.get(name="idp").last_used_at is None
    assert scim_token_actor(raw) is not None
    assert ScimToken.objects.get(name="idp").last_used_at is not None


@pytest.mark.django_db(transaction=True)
def test_a_stamp_waits_a_moment_for_a_lock_released_soon() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL locks rows: the stamp never waits for an import there")
    user = make_user("reader", "reader@example.com", sysadmin=True)
    _, raw = token_create(actor=system_actor(), user=user)
    writer = sqlite3.connect(
        connection.settings_dict["NAME"], isolation_level=None, check_same_thread=False
    )
    writer.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.005, lambda: writer.execute("ROLLBACK"))  # well inside the patience
    release.start()
    try:
        assert token_user(raw) == user
    finally:
        release.join()
        writer.close()
    assert ApiToken.objects.get(user=user).last_used_at is not None


@pytest.mark.django_db(transaction=True)
def test_a_fault_other_than_a_busy_lock_is_raised_not_swallowed() -> None:
    def broken_write() -> None:
        with connection.cursor() as cursor:
            cursor.execute("UPDATE no_such_table SET x = 1")

    with pytest.raises(DatabaseError):
        write_if_free(broken_write)
    assert ApiToken.objects.count() == 0  # the connection is still usable after the fault
