// Executable `correlation`: not implemented yet.
print("correlation: not implemented yet")
