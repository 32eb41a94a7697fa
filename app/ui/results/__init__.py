"""The results pane: the Outcome of every file of every job, and the fixes for failures."""
