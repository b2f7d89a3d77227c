"""IR passes: one module per pass, each with ``run(func) -> bool``.

See :mod:`wasmaot.ir.pipeline` for how they are chained and timed.
"""
