"""Django start-up in a PLM process (plm/boot.py), in a fresh interpreter: the collector is
paused only while Django sets up, and what start-up built is frozen, never scanned again."""

import os
import subprocess
import sys

PROBE = """
import gc, sys
if sys.argv[1] == "off":
    gc.disable()
from plm.boot import django_setup
django_setup()
from django.apps import apps
print(apps.ready, gc.isenabled(), gc.get_freeze_count())
"""


def _after_setup(collector: str) -> tuple[str, str, int]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, collector],
        env={**os.environ, "PLM_SECRET_KEY": "test-only"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return out[0], out[1], int(out[2])


def test_setup_leaves_the_collector_on_and_start_up_objects_frozen() -> None:
    ready, enabled, frozen = _after_setup("on")
    assert (ready, enabled) == ("True", "True")
    assert frozen > 50_000  # Django's modules, classes and app registry


def test_setup_leaves_a_collector_that_was_off_off() -> None:
    ready, enabled, _ = _after_setup("off")
    assert (ready, enabled) == ("True", "False")
