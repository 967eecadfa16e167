// Executable `bench`: not implemented yet.
print("bench: not implemented yet")
