"""`python -m wasmaot.bench` = `wasmaot bench` (for use before the main CLI registers it)."""
from .cli import main

main()
