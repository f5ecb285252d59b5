"""flash messages (tableau d'affichage)

Revision ID: k0004
Revises: k0003
Create Date: 2026-11-23 13:30:00
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = 'k0004'
down_revision = 'k0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
