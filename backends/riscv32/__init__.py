"""RISC-V 32 target family (bare-metal firmware): see ``target.py``."""
