"""AArch64 target family: see ``target.py`` (same files in every family folder)."""
