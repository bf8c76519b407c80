"""Defences shared by every channel: the client's address, rate limits and the sign-in lockout."""
