"""The `plm` command: a thin face over the services (parse options, call, print, exit code)."""

import sys


def run() -> None:
    """The `plm` entry point. `plm --version` answers before typer and the commands are
    imported (a bare interpreter start); everything else goes through the typer app."""
    if sys.argv[1:] == ["--version"]:
        from plm import __version__

        sys.stdout.write(f"plm {__version__}\n")
        return
    from plm.cli.main import run as typer_run

    typer_run()
