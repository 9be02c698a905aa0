"""The ``mohlat`` commands other than the case actions (those are in :mod:`mohlat.cli`),
one module per group; each module's ``register`` adds its commands to the app."""

from __future__ import annotations

from typer import Typer

from mohlat.commands import accounts, calendar, campaigns, operating, reading, serving

__all__ = ["register_all"]


def register_all(app: Typer) -> None:
    """Add every command group to ``app``."""
    for module in (campaigns, accounts, reading, operating, calendar, serving):
        module.register(app)
