"""Communication rules: who may write to whom (engine.py), their defaults (defaults.py) and their
administration with history (rules.py). Import the submodules; this package imports nothing so that the directory
services can install defaults without a cycle."""
