"""OAuth 2.0 / OpenID Connect provider: clients, codes, tokens, consents

Revision ID: k0010
Revises: k0009
Create Date: 2026-11-23 15:00:00

The tables moved to the plugin oidc (plugins/oidc/migrations, branch ``oidc``): this revision stays in the
kernel's chain, as later ones follow it, and does nothing.
"""


revision = 'k0010'
down_revision = 'k0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing: the plugin oidc creates its tables (and skips those a database created before the move has)."""


def downgrade() -> None:
    """Nothing: the plugin oidc's branch owns the tables."""
