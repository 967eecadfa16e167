// Module Plot: filled in by its issue.
