// Module Experiments: filled in by its issue.
