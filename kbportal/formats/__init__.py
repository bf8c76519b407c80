"""The portal's date and time formats per language (FORMAT_MODULE_PATH), where Django's own fall short.

Templates and code name formats, never spell them ("DATE_FORMAT", not "j M Y"), so every date follows the
reader's language. Only the names a language changes are here; the rest are Django's.
"""
