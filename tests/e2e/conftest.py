"""Fixtures for the console tests: the demo team, and staff signing in with their own cookies."""

from tests.e2e.console_client import client, second_client, team  # noqa: F401
