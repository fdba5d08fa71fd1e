# Resources: one module per API area, each serving both clients; its types are in its .pyi.
