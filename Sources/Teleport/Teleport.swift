// Module Teleport: filled in by its issue.
