# Resources: one module per API area; each class serves both clients in all three modes.
