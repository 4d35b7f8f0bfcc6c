"""Two web processes and two workers over one PostgreSQL: an upload to one web process is run
by a worker, and its progress and results are visible from the other web process."""

import re
import subprocess

import pytest
from django.db import connection

from plm.imports.models import Import
from tests.builders import holders
from tests.e2e.conftest import start_server
from tests.e2e.test_browser import L1, L2, campus, login, upload, wait_done
from tests.processes import PLM, plm_env


@pytest.fixture
def cluster(transactional_db):  # type: ignore[no-untyped-def]
    if connection.vendor != "postgresql":
        pytest.skip("the scale-out layout is PostgreSQL's (run by make test's PostgreSQL pass)")
    web_a, url_a = start_server("--no-worker")
    web_b, url_b = start_server("--no-worker")
    workers = [
        subprocess.Popen(
            [PLM, "worker"],
            env=plm_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    yield url_a, url_b, workers
    for proc in (web_a, web_b, *workers):
        proc.terminate()
    for proc in (web_a, web_b, *workers):
        proc.wait(timeout=10)


def test_upload_on_one_web_process_runs_on_a_worker_and_shows_on_the_other(
    cluster, page, tmp_path
) -> None:
    from django_tasks_db.models import DBTaskResult

    url_a, url_b, workers = cluster
    campus()
    login(page, url_a)
    upload(
        page,
        url_a,
        tmp_path,
        f"Username,Action,License ID\nann,assign,{L1}\nbob,assign,{L2}\nnobody,assign,\n",
    )
    path = re.sub(r"^https?://[^/]+", "", page.url)
    page.goto(url_b + path)  # the session (in the database) works on the other web process
    wait_done(page)
    assert "Rows not processed" in page.content()
    job = Import.objects.get()
    assert (job.status, job.applied, job.rejected) == ("completed", 2, 1)
    assert holders(L1) == {"ann"} and holders(L2) == {"bob"}
    task = DBTaskResult.objects.get()
    worker_pids = {str(w.pid) for w in workers}
    assert any(part in worker_pids for wid in task.worker_ids for part in wid.split("-"))
