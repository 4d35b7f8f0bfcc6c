"""Files PLM writes that hold people's data (exports, error reports, backups): created readable
by their owner only (mode 0600), whatever the umask."""

import os
from pathlib import Path
from typing import IO, Any


def open_private(path: str | Path, mode: str = "w", **kwargs: Any) -> IO[Any]:
    """`open(path, mode)` for writing, creating the file with mode 0600 (an existing file keeps
    its mode: the administrator chose it)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    return os.fdopen(fd, mode, **kwargs)
