"""The search engine: one box over every registered source (see registry.py), in English and Chinese."""
