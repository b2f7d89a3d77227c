"""See backends/ABI.md and the package docstring of the parent."""
