"""plm serve / plm worker / plm demo-data."""

import os
import signal
import sys

import typer

from plm.cli.runtime import actor, command, out, use_cases


def _raise_open_files_limit(wanted: int) -> None:
    """Each connection is an open file: raise the soft limit towards `wanted` (never above
    the hard limit the system allows)."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def _settle_heap() -> None:
    """Leave the objects of start-up (Django, the URL patterns and the views they import) out
    of the garbage collector's full passes: each pass over them stopped every request thread
    for about 50 ms, every few seconds under steady traffic."""
    import gc

    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (imports every view module now)
    gc.collect()
    gc.freeze()


def register(app: typer.Typer) -> None:
    @app.command("serve")
    @command
    def serve(
        host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
        port: int = typer.Option(8000, "--port", help="Port to listen on."),
        threads: int = typer.Option(8, "--threads", help="Request threads."),
        connection_limit: int = typer.Option(
            1000,
            "--connection-limit",
            envvar="PLM_CONNECTION_LIMIT",
            help="Open connections at most; more wait in the listen queue.",
        ),
        header_timeout: int = typer.Option(
            10,
            "--header-timeout",
            envvar="PLM_HEADER_TIMEOUT",
            help="Seconds a client has to send a request's line and headers.",
        ),
        channel_timeout: int = typer.Option(
            30,
            "--channel-timeout",
            envvar="PLM_CHANNEL_TIMEOUT",
            help="Seconds a connection may stay silent (idle keep-alive or a stalled body).",
        ),
        no_worker: bool = typer.Option(
            False, "--no-worker", help="Do not run imports in this process (use plm worker)."
        ),
    ) -> None:
        """Serve the web application and API (waitress), and run queued imports.

        Example: plm serve --host 0.0.0.0 --port 8000
        """
        operations = use_cases().operations
        # After Django is set up (use_cases): settings and the WSGI application need it.
        from django.conf import settings

        from plm.edge import make_server
        from plm.wsgi import application

        _settle_heap()
        if host not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
            settings.ALLOWED_HOSTS.append(host)
        out.print(
            f"Presenter License Manager on http://{host}:{port}/ "
            f"({'with' if not no_worker else 'without'} import worker). Ctrl+C stops."
        )
        sys.stdout.flush()
        server = make_server(
            application,
            header_timeout=header_timeout,
            host=host,
            port=port,
            threads=threads,
            ident="plm",
            # Slow clients: waitress reads requests in its event loop (not in the threads), so
            # a slow client costs a connection, not a thread. Enough connections (poll(), not
            # select(), to go past 1,024), silent ones closed after channel_timeout, trickling
            # ones after header_timeout (checked every cleanup_interval seconds).
            connection_limit=connection_limit,
            channel_timeout=channel_timeout,
            cleanup_interval=2,
            asyncore_use_poll=True,
            # A body declared over the limit is refused from its headers, before it is read.
            max_request_body_size=settings.PLM_MAX_REQUEST_BYTES + 1,
            # Proxy headers are the edge's (plm.edge: PLM_TRUSTED_PROXIES), not waitress's.
            clear_untrusted_proxy_headers=False,
        )
        _raise_open_files_limit(connection_limit + 64)
        # The worker only once the server has its port (a server that cannot start leaves no
        # worker behind); SIGTERM (a service manager, `kill`) closes the server and stops it.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        worker = None
        try:
            worker = None if no_worker else operations.worker_in_background()
            server.run()
        finally:
            if worker is not None:
                worker.stop()

    @app.command("worker")
    @command
    def worker(
        once: bool = typer.Option(False, "--once", help="Run the queued imports, then exit."),
    ) -> None:
        """Run queued imports (start one or more on any host sharing the database).

        Example: PLM_DATABASE_URL=postgres://plm@db:5432/plm plm worker
        """
        use_cases().operations.worker_foreground(
            once=once,
            on_start=lambda worker_id: out.print(
                f"Import worker {worker_id} started. Ctrl+C stops."
            ),
        )

    @app.command("demo-data")
    @command
    def demo_data(
        seed: int = typer.Option(2013, "--seed", help="Random seed (same seed, same data)."),
    ) -> None:
        """Load the demo set: organizations, staff and students, licenses, assignments.

        The demo administrator's password comes from PLM_DEMO_PASSWORD (it must pass the
        password rules: 12 characters, not common, not all digits) or is generated and
        printed. Running it again changes nothing.

        Example: PLM_DEMO_PASSWORD='blue-harbour-lantern-7' plm demo-data
        """
        password = os.environ.get("PLM_DEMO_PASSWORD")
        summary = use_cases().operations.demo_load(actor=actor(), seed=seed, password=password)
        out.print(summary)

    @app.command("notify-expiring")
    @command
    def notify_expiring(
        days: int = typer.Option(30, "--days", help="Look this many days ahead (default 30)."),
    ) -> None:
        """E-mail one digest of licenses expiring within --days days to system administrators.

        Mail goes through PLM_EMAIL_BACKEND (console by default; SMTP with PLM_EMAIL_HOST...).
        Run it daily from cron: 0 7 * * * plm notify-expiring

        Example: plm notify-expiring --days 60
        """
        count, recipients = use_cases().operations.notify_expiring(actor=actor(), days=days)
        out.print(
            f"{count} license(s) expire within {days} days; digest sent to "
            f"{recipients} administrator(s)."
        )
