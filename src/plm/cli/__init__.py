"""The `plm` command: a thin face over the services (parse options, call, print, exit code)."""
