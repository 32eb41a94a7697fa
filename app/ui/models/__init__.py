"""Qt item models over server listings."""
