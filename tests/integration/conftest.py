"""The `sync` fixture (davdesk sync against the test server) for every module here.

It lives with its tests in test_sync.py; the other sync test modules get it from here
rather than by importing it, which would leave each test's `sync` parameter shadowing the
import.
"""

from tests.integration.test_sync import sync  # noqa: F401 - the fixture
