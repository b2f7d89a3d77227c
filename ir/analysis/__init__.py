"""Analyses shared by IR passes (read-only: they compute facts, passes act
on them).  :mod:`.ranges`: integer value ranges; :mod:`.tables`: tables whose
contents are known at compile time; :mod:`.stackcheck`: where a
function's stack check goes."""
