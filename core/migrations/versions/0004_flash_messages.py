"""flash messages (tableau d'affichage): moved to the plugin flash

The tables moved to the built-in plugin ``flash`` (its revision flash0001 creates them where missing); this
revision stays in the kernel's chain, with its id, and does nothing.

Revision ID: k0004
Revises: k0003
Create Date: 2026-11-23 13:30:00
"""

revision = 'k0004'
down_revision = 'k0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """The tables moved to the plugin flash."""


def downgrade() -> None:
    """The tables moved to the plugin flash."""
