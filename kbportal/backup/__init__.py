"""Backup and restore: what makes `dumpdata`/`loaddata` round-trip exactly, and the online backup command.

See the README, "Backup and restore", for the commands an operator runs.
"""
