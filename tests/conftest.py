import os

from hypothesis import HealthCheck, settings

# CI runs the default profile; MODEMGW_HYPOTHESIS=long runs the long fuzzing profile.
settings.register_profile("default", max_examples=200, deadline=None)
settings.register_profile("long", max_examples=20_000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("MODEMGW_HYPOTHESIS", "default"))
