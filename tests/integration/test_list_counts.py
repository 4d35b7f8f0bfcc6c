"""Counts shown above long lists ("All N matching presenters") come from cheaper queries than
the lists themselves; they must count exactly what the list shows, for every actor and filter."""

from plm.app.assignments import presenters, presenters_count
from plm.directory.actors import actor_for_user, system_actor
from tests.builders import plm
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
