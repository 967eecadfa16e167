// Executable `generalization`: not implemented yet.
print("generalization: not implemented yet")
