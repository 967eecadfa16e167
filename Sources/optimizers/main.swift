// Executable `optimizers`: not implemented yet.
print("optimizers: not implemented yet")
