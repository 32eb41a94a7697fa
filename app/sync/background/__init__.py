"""Background sync: saved pairs kept in step by watching the disk and polling the server.

Plain Python, no Qt. Every run is an ordinary job (app.jobs) planned by the
same planner as a one-off sync, so every safety rule holds here too.
"""
