"""Opening connections: the layer between the front ends and the protocol packages.

app.config keeps what the user saved (bookmarks, pairs, passwords) as data;
turning it into a working connection (a DavClient, a Nextcloud found at an
address, an account password exchanged for an app password) happens here,
for the window and the CLI alike. No Qt. Nothing is imported with the
package: each front end loads the module it uses (`davdesk ls` stays light).
"""

#: The environment variable a password may come from where none is kept (never an argument:
#: other users can read the process list). The window, the CLI and background sync read it.
PASSWORD_VARIABLE = "DAVDESK_PASSWORD"
