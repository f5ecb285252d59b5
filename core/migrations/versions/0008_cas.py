"""CAS server tickets and attribute release per connector

Revision ID: k0008
Revises: k0007
Create Date: 2026-11-23 15:00:00
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = 'k0008'
down_revision = 'k0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
