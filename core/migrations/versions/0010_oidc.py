"""OAuth 2.0 / OpenID Connect provider: clients, codes, tokens, consents

Revision ID: k0010
Revises: k0009
Create Date: 2026-11-23 15:00:00
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = 'k0010'
down_revision = 'k0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
