"""The origins a page may frame — the Content-Security-Policy's `frame-src` — declared by the app that embeds them.

The policy is the foundation's; what is embedded is an app's business (articles embeds the video providers'
players). An app declares its origins in its AppConfig.ready(), so the foundation never imports the app.
"""

_origins: dict[str, None] = {}


def allow_frame_origins(*origins: str) -> None:
    """Let pages frame these origins (scheme and host, e.g. "https://player.vimeo.com")."""
    for origin in origins:
        _origins[origin] = None


def frame_origins() -> tuple[str, ...]:
    """The origins declared so far, in the order they were declared."""
    return tuple(_origins)
