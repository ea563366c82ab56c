import os

import pytest
from hypothesis import HealthCheck, settings

import pgserver

# CI runs the default profile; MODEMGW_HYPOTHESIS=long runs the long fuzzing profile.
settings.register_profile("default", max_examples=200, deadline=None)
settings.register_profile("long", max_examples=20_000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("MODEMGW_HYPOTHESIS", "default"))

ENGINES = ("sqlite", "postgresql")


@pytest.fixture(params=ENGINES)
def database(request, tmp_path) -> str:
    """Where a test's store lives, once on each engine: a SQLite file in the test's
    directory, or a new database (already migrated) on the private PostgreSQL server
    (tests/pgserver.py, started at the first such test)."""
    if request.param == "sqlite":
        return str(tmp_path / "gw.db")
    return pgserver.server().database()


@pytest.fixture
def another_database(database, tmp_path_factory):
    """Makes a second, empty store on the same engine as `database`."""
    def make() -> str:
        if database.startswith("postgresql://"):
            return pgserver.server().database()
        return str(tmp_path_factory.mktemp("another") / "gw.db")
    return make
