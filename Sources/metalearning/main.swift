// Executable `metalearning`: not implemented yet.
print("metalearning: not implemented yet")
