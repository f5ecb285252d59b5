"""LTI 1.1 and 1.3 platform: tools, deployments, keys, nonces, grades; connector launch events

The tables moved to the plugin lti (plugins/lti, its own branch "lti"): this revision stays in the kernel's
chain (later ones follow it) and does nothing.

Revision ID: k0009
Revises: k0008
Create Date: 2026-11-23 15:00:00
"""


revision = 'k0009'
down_revision = 'k0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing: the plugin lti creates its tables (lti_0001)."""


def downgrade() -> None:
    """Nothing: the plugin lti drops its tables."""
