"""The imperative shell: wires the core's decisions to storage and channels."""
