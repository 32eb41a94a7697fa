"""The If header (RFC 4918 10.4): lock tokens handed over, and an ETag tagged to a resource."""

from __future__ import annotations


def submit_lock_token(token: str) -> str:
    """An If header that submits a lock token for the target or any member below it.

    An untagged "(<token>)" is a condition on the target itself, so a DELETE
    of a folder whose member holds the lock fails with 412. The second list,
    "(Not <DAV:no-lock>)", is always true: the header only hands the token
    over (RFC 4918 10.4), whichever resource it locks.
    """
    return f"(<{token}>) (Not <DAV:no-lock>)"


def tagged_etag(url: str, etag: str) -> str:
    """An If header whose ETag condition applies to url rather than to the request's target.

    A chunked upload's final MOVE names the upload folder; the version it
    may replace is the destination's, and Sabre evaluates a tagged list
    against the resource it names.
    """
    return f"<{url}> ([{etag}])"
