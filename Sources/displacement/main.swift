// Executable `displacement`: not implemented yet.
print("displacement: not implemented yet")
