"""Resources: one module per API area, each serving both clients."""
