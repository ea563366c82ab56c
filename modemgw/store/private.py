"""The database file and its directory, readable by the gateway's user only.

A database this creates is mode 0600, in a directory it creates 0700, whatever
the process umask: it holds webhook secrets and message texts. SQLite gives the
-wal and -shm files it creates later the database file's permission bits
(os_unix.c: findCreateFileMode() and unixOpenSharedMemory(); robust_open()
fchmods them past the umask), so they are private too. An existing file or
directory keeps its mode.
"""

from __future__ import annotations

import os

FILE_MODE = 0o600
DIRECTORY_MODE = 0o700


def create(path: str) -> None:
    """Create the database file (empty: SQLite takes an empty file for a new
    database) and any missing directory above it, unless they exist."""
    if path == ":memory:":
        return
    _directories(os.path.dirname(os.path.abspath(path)))
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, FILE_MODE)
    except FileExistsError:
        return
    try:
        os.fchmod(fd, FILE_MODE)     # the umask may have taken bits from the mode
    finally:
        os.close(fd)


def _directories(directory: str) -> None:
    missing = []
    while not os.path.isdir(directory):
        missing.append(directory)
        directory = os.path.dirname(directory)
    for name in reversed(missing):
        try:
            os.mkdir(name, DIRECTORY_MODE)
        except FileExistsError:
            continue                 # made meanwhile by someone else: theirs to set
        os.chmod(name, DIRECTORY_MODE)
