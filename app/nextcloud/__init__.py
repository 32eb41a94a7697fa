"""Nextcloud: the parts of its client APIs that sit beside WebDAV. Plain Python, no Qt.

Finding a server's files endpoint from whatever address the user typed,
Login Flow v2 and app passwords, the OCS capabilities that say which WebDAV
extensions the server has (handed to the dav layer as ServerExtensions), and
the trash bin. Everything follows Nextcloud's developer documentation
(client APIs: WebDAV basics, chunking, Login Flow, OCS); docs/nextcloud.md
says which parts and how they were tested.
"""
