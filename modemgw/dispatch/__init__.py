"""Getting accepted messages out through the modems, and status reports back in."""
