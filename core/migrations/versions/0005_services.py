"""services administration: links, connector catalogue entries and per-structure connector settings

Revision ID: k0005
Revises: k0004
Create Date: 2026-11-23 13:30:00
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = 'k0005'
down_revision = 'k0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
