"""`python -m plm.jobs.child PARENT_PID`: the import worker of `plm serve`, as its child process.

In a thread of the web process an import's Python work competed with the request threads for
the interpreter, and the garbage collections its objects set off stopped every request for
50-150 ms; as a process of its own it runs on another CPU and pauses no request. It ends with
the server: at once when the server stops it, within a second if the server dies."""

import os
import signal
import sys
import threading
import time


def _exit_with(parent: int) -> None:
    """Poll the parent; when it is gone (this process re-parented), end as a stopped worker
    does: at once, an import under way left to the janitor to mark interrupted."""
    while os.getppid() == parent:
        time.sleep(1)
    os.kill(os.getpid(), signal.SIGTERM)


def main(parent: int) -> None:
    # Ctrl+C in the server's terminal reaches this process too: end quietly, no traceback.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()
    from plm.boot import django_setup

    django_setup()
    from plm.jobs.worker import make_worker, start_janitor

    start_janitor()
    make_worker().run()


if __name__ == "__main__":
    main(int(sys.argv[1]))
