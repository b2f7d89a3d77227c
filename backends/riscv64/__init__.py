"""RISC-V 64 target family: see ``target.py`` (same files in every family folder)."""
