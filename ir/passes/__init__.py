"""IR passes: one module per pass, each with ``run``, a ``KIND``, a
``PRESERVES`` set and a docstring starting ``<name>: <description>``.

See :mod:`wasmaot.ir.pipeline` for the contract and how passes are chained,
checked and timed.
"""
