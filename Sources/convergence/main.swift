// Executable `convergence`: not implemented yet.
print("convergence: not implemented yet")
