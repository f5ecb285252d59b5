"""dashboard layouts per user and per profile, favourites in Mes Applis

Revision ID: k0006
Revises: k0005
Create Date: 2026-11-23 13:30:00
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = 'k0006'
down_revision = 'k0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
