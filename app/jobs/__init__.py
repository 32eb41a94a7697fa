"""Multi-file jobs on worker threads: plan a selection, run it, one Outcome per file. No Qt."""
