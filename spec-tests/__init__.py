"""See the package docstring in the top-level README."""
