// Module Autodiff: filled in by its issue.
