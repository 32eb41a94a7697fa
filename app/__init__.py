"""Davdesk: a desktop WebDAV client that reports what happened to every file."""

__version__ = "0.1.0"
