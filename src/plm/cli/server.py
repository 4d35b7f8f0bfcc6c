"""plm serve / plm worker / plm demo-data."""

import os
import sys

import typer

from plm.cli.runtime import actor, command, out, use_cases


def register(app: typer.Typer) -> None:
    @app.command("serve")
    @command
    def serve(
        host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
        port: int = typer.Option(8000, "--port", help="Port to listen on."),
        threads: int = typer.Option(8, "--threads", help="Request threads."),
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
        from waitress import serve as waitress_serve

        from plm.wsgi import application

        if not no_worker:
            operations.worker_in_background()
        if host not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
            settings.ALLOWED_HOSTS.append(host)
        out.print(
            f"Presenter License Manager on http://{host}:{port}/ "
            f"({'with' if not no_worker else 'without'} import worker). Ctrl+C stops."
        )
        sys.stdout.flush()
        waitress_serve(
            application,
            host=host,
            port=port,
            threads=threads,
            ident="plm",
            clear_untrusted_proxy_headers=True,
            _quiet=True,
        )

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

        The demo administrator's password comes from PLM_DEMO_PASSWORD or is generated
        and printed. Running it again changes nothing.

        Example: PLM_DEMO_PASSWORD=demo-pass-123 plm demo-data
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
