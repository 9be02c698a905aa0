"""The thin I/O layer: each service call checks access, reads, plans with the pure
workflow, and writes through the store in one transaction."""
