"""Maintenance scripts of the repository (run as ``python scripts/<name>.py``).

A package only so that mypy names its modules ``scripts.*`` (strict in pyproject.toml).
"""
