"""Analyses shared by IR passes (read-only: they compute facts, passes act
on them).  :mod:`.ranges`: integer value ranges."""
