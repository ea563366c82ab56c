"""The database, its -wal and -shm, and a directory the gateway creates for them are
readable by the gateway's user only, whatever the umask (they hold webhook secrets)."""

from __future__ import annotations

import os
import stat

import pytest

from modemgw.store import Store


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.parametrize("umask", [0o022, 0o000])
@pytest.mark.parametrize("directory_exists", [True, False])
async def test_database_files_are_private_whatever_the_umask(tmp_path, umask, directory_exists):
    directory = tmp_path / "state" / "modemgw"
    path = directory / "gateway.db"
    if directory_exists:
        directory.mkdir(parents=True, mode=0o755)
    old = os.umask(umask)
    try:
        store = Store(str(path))
        await store.open()
        try:
            await store.create_key("tests")      # a commit: the -wal and -shm exist now
            files = {name: mode(str(path) + name) for name in ("", "-wal", "-shm")}
        finally:
            await store.close()
    finally:
        os.umask(old)
    assert files == {"": 0o600, "-wal": 0o600, "-shm": 0o600}
    if not directory_exists:
        assert mode(directory) == 0o700 and mode(directory.parent) == 0o700


async def test_an_existing_database_keeps_its_mode(tmp_path):
    path = tmp_path / "gateway.db"
    path.touch()
    os.chmod(path, 0o640)          # e.g. made group-readable on purpose for a backup user
    store = Store(str(path))
    await store.open()
    await store.close()
    assert mode(path) == 0o640
