"""Counts shown above long lists ("All N matching presenters") come from cheaper queries than
the lists themselves; they must count exactly what the list shows, for every actor and filter."""

from plm.app.assignments import presenters, presenters_count
from plm.app.users import users_count, users_list
from plm.directory.actors import actor_for_user, system_actor
from tests.builders import STAFF, make_user, plm
from tests.integration.conftest import L1, L2


def test_the_presenter_count_is_the_length_of_the_presenter_list(campus) -> None:
    plm("assign", "ann", L1)
    plm("assign", "ann", L2)  # two licenses: counted once
    plm("assign", "bob", L2)
    plm("assign", "cat", L1)
    actors = [system_actor("web"), actor_for_user(campus.manager, "web")]  # all; Science only
    for actor in actors:
        for q in ("", "bob", "example.com", "nobody"):
            for license_id in ("", L1, L2, "ID 2099-01-01-000000"):
                listed = list(presenters(actor=actor, q=q, license_id=license_id))
                counted = presenters_count(actor=actor, q=q, license_id=license_id)
                assert counted == len(listed), (actor.name, q, license_id)
    assert presenters_count(actor=actors[0]) == 3
    assert presenters_count(actor=actors[1]) == 2  # ann (Physics) and cat (Science)


def test_the_users_count_is_the_length_of_the_users_list(campus) -> None:
    # The campus has staff, a student, an inactive staff member and managers; add an inactive
    # student and a user with two roles, so that every kind of user is there to be counted
    # (the Users page's tabs for an actor who sees everyone are counted from the role grants).
    make_user("gone2", "gone2@example.com", active=False)
    make_user("two", "two@example.com", roles=[(campus.arts, STAFF), (campus.physics, STAFF)])
    actors = [system_actor("web"), actor_for_user(campus.manager, "web")]  # all; Science only
    for actor in actors:
        for q in ("", "bob", "nobody"):
            for kind in ("staff", "student", None):
                for org_pk in (None, campus.arts.pk):
                    for active in (True, False, None):
                        criteria = dict(q=q, kind=kind, org_pk=org_pk, active=active)
                        listed = list(users_list(actor=actor, **criteria))
                        counted = users_count(actor=actor, **criteria)
                        assert counted == len(listed), (actor.name, criteria)
    everyone = actors[0]
    # The Users page's own tabs: active staff are ann, bob, cat, mgr and two (not gone, who is
    # inactive); the one active student is stud (not gone2).
    assert users_count(actor=everyone, kind="staff", active=True) == 5
    assert users_count(actor=everyone, kind="student", active=True) == 1
