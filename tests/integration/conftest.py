from dataclasses import dataclass
from datetime import date

import pytest

from plm.directory.models import Organization, User
from tests.builders import make_license, make_org, make_staff, make_user

L1 = "ID 2013-07-05-012345"
L2 = "ID 2013-07-05-012346"
EXPIRED = "ID 2010-01-01-000001"


@dataclass
class Campus:
    top: Organization
    science: Organization
    physics: Organization
    arts: Organization
    ann: User
    bob: User
    cat: User
    student: User
    inactive: User
    manager: User


@pytest.fixture
def campus(db) -> Campus:  # type: ignore[no-untyped-def]
    """University > Science > Physics, University > Arts; three staff, a student, managers."""
    top = make_org("University")
    science = make_org("Science", top)
    physics = make_org("Physics", science)
    arts = make_org("Arts", top)
    ann = make_staff("ann", physics, "instructor1@example.com")
    bob = make_staff("bob", arts, "bob@example.com")
    cat = make_staff("cat", science, "cat@example.com")
    student = make_user("stud", "stud@example.com")
    inactive = make_user("gone", "gone@example.com", roles=[(arts, "Academic Staff")], active=False)
    manager = make_user(
        "mgr", "mgr@example.com", roles=[(science, "Administrator"), (science, "License Manager")]
    )
    make_license(L1, seats=2)
    make_license(L2, seats=10)
    make_license(EXPIRED, seats=5, expires=date(2010, 12, 31))
    return Campus(top, science, physics, arts, ann, bob, cat, student, inactive, manager)
