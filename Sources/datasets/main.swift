// Executable `datasets`: not implemented yet.
print("datasets: not implemented yet")
