"""The page frame: header with navigation, content column, footer. Mobile first."""

from __future__ import annotations

import reflex as rx

from app import routes
from app.states.session import SessionState

CONTENT_MAX_WIDTH = "72rem"
# Pages of long lists on a desktop (the key service at 1440 px): the frame uses the whole window.
WIDE_CONTENT_MAX_WIDTH = "90rem"
# CSS lengths from the Radix spacing scale: 16 px gutters on a phone, 24 px on a desktop.
GUTTER = ["var(--space-4)", "var(--space-4)", "var(--space-6)"]
# The sections sit in the header from 62em (992 px) up; below, in the name menu (a phone, a tablet).
WIDE_ONLY = ["none", "none", "none", "flex"]
NARROW_ONLY = ["block", "block", "block", "none"]


def _nav_link(item: rx.Var) -> rx.Component:
    return rx.link(
        item["label"],
        # What waits for this role there (access requests for an administrator), as a badge.
        rx.cond(
            item["count"] != "",
            rx.badge(
                item["count"],
                color_scheme="red",
                variant="solid",
                margin_left="var(--space-1)",
                aria_hidden="true",
            ),
        ),
        href=item["route"],
        size="3",
        weight="medium",
        aria_label=item["name"],
    )


def _language_select() -> rx.Component:
    return rx.select.root(
        rx.select.trigger(aria_label=SessionState.t["nav.language"], variant="ghost"),
        rx.select.content(
            rx.select.item("Norsk", value="nb"),
            rx.select.item("Svenska", value="sv"),
            rx.select.item("English", value="en"),
        ),
        value=SessionState.language,
        on_change=SessionState.set_language,
        size="2",
    )


def _account_label() -> rx.Var:
    return rx.cond(SessionState.display_name, SessionState.display_name, SessionState.t["nav.account"])


def _account_menu() -> rx.Component:
    """The name menu at the top right: who is signed in, and the way out."""
    return rx.cond(
        SessionState.logged_in,
        rx.menu.root(
            rx.menu.trigger(
                rx.button(
                    rx.icon("circle-user", size=20),
                    # On a phone the icon alone fits beside the logo; the name stays the button's name.
                    rx.text(
                        _account_label(),
                        display=["none", "none", "inline"],
                        max_width="14rem",
                        overflow="hidden",
                        text_overflow="ellipsis",
                        white_space="nowrap",
                    ),
                    rx.icon("chevron-down", size=14),
                    variant="soft",
                    # Teal 11 on the soft teal background is 4.1:1; high contrast passes WCAG AA.
                    high_contrast=True,
                    size="3",
                    min_height="44px",
                    aria_label=_account_label(),
                )
            ),
            rx.menu.content(
                # On a phone the portal sections live in this menu too.
                rx.box(
                    rx.foreach(
                        SessionState.nav_items,
                        lambda item: rx.menu.item(item["name"], on_click=rx.redirect(item["route"])),
                    ),
                    rx.menu.separator(),
                    display=NARROW_ONLY,
                ),
                rx.cond(
                    SessionState.role == "customer",
                    rx.menu.item(
                        SessionState.t["nav.profile"], on_click=rx.redirect(routes.CUSTOMER_PROFILE)
                    ),
                ),
                rx.menu.item(SessionState.t["nav.logout"], on_click=SessionState.sign_out),
            ),
        ),
    )


def _more_menu() -> rx.Component:
    """The sections beyond the first few, in one menu (the administrator has twelve)."""
    return rx.cond(
        SessionState.nav_more.length() > 0,
        rx.menu.root(
            rx.menu.trigger(
                rx.button(
                    SessionState.t["nav.more"],
                    rx.icon("chevron-down", size=14),
                    variant="ghost",
                    size="3",
                    high_contrast=True,
                    id="nav-more",
                ),
            ),
            rx.menu.content(
                rx.foreach(
                    SessionState.nav_more,
                    lambda item: rx.menu.item(item["label"], on_click=rx.redirect(item["route"])),
                ),
            ),
            # Not modal: the page behind stays in the accessibility tree (axe: aria-hidden-focus).
            modal=False,
        ),
    )


def _section_links() -> rx.Component:
    return rx.el.nav(
        rx.hstack(
            rx.foreach(SessionState.nav_inline, _nav_link),
            _more_menu(),
            spacing="5",
            align="center",
        ),
        aria_label=SessionState.t["nav.sections"],
        display=WIDE_ONLY,
    )


def header(max_width: str = CONTENT_MAX_WIDTH) -> rx.Component:
    # Real <header>/<main>/<footer> elements: the landmarks screen readers jump between.
    return rx.el.header(
        rx.hstack(
            rx.link(
                rx.hstack(
                    rx.icon("gauge", size=24, flex_shrink="0"),
                    # On a narrow phone the name gives way (ellipsis), never the buttons beside it.
                    rx.text(
                        SessionState.t["app.name"],
                        size=rx.breakpoints(initial="4", md="5"),
                        weight="bold",
                        white_space="nowrap",
                        overflow="hidden",
                        text_overflow="ellipsis",
                    ),
                    align="center",
                    spacing="2",
                    min_width="0",
                ),
                href=routes.HOME,
                underline="none",
                color_scheme="gray",
                high_contrast=True,
                min_width="0",
            ),
            rx.spacer(),
            rx.hstack(
                _section_links(),
                _language_select(),
                _account_menu(),
                spacing=rx.breakpoints(initial="2", md="4"),
                align="center",
                flex_shrink="0",
            ),
            align="center",
            width="100%",
            max_width=max_width,
            margin_x="auto",
            padding_x=GUTTER,
            padding_y="var(--space-3)",
        ),
        border_bottom="1px solid var(--gray-a5)",
        background="var(--color-panel-solid)",
        position="sticky",
        top="0",
        z_index="10",
        width="100%",
    )


def footer(max_width: str = CONTENT_MAX_WIDTH) -> rx.Component:
    return rx.el.footer(
        rx.hstack(
            rx.text(SessionState.t["footer.text"], size="2", color_scheme="gray"),
            rx.link(SessionState.t["footer.privacy"], href=routes.PRIVACY, size="2"),
            rx.link(SessionState.t["footer.accessibility"], href=routes.ACCESSIBILITY, size="2"),
            spacing="4",
            wrap="wrap",
            align="center",
        ),
        padding_y="var(--space-5)",
        padding_x=GUTTER,
        max_width=max_width,
        margin_x="auto",
        width="100%",
    )


def shell(*content: rx.Component, wide: bool = False) -> rx.Component:
    """Wrap a page's content in the shared frame (``wide``: as wide as a 1440 px window allows)."""
    max_width = WIDE_CONTENT_MAX_WIDTH if wide else CONTENT_MAX_WIDTH
    return rx.box(
        header(max_width),
        rx.el.main(
            *content,
            width="100%",
            max_width=max_width,
            margin_x="auto",
            padding_x=GUTTER,
            padding_y=["var(--space-5)", "var(--space-5)", "var(--space-8)"],
            flex="1",
        ),
        footer(max_width),
        display="flex",
        flex_direction="column",
        min_height="100vh",
        overflow_x="hidden",
    )
