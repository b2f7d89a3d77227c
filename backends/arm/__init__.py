"""ARM Cortex-M target family (bare-metal firmware): see ``target.py``."""
