// Module Tensor: filled in by its issue.
