"""LTI 1.1 and 1.3 platform: tools, deployments, keys, nonces, grades; connector launch events

Revision ID: k0009
Revises: k0008
Create Date: 2026-11-23 15:00:00
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = 'k0009'
down_revision = 'k0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
