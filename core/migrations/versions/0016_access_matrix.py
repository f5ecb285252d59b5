"""Applications matrix: a structure's "not for this profile" decisions on inherited grants; versions of change sets

Revision ID: k0016
Revises: k0015
Create Date: 2026-12-08 00:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'k0016'
down_revision = 'k0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'right_exclusions',
        sa.Column('structure_id', sa.Integer(), nullable=False),
        sa.Column('right_id', sa.String(length=100), nullable=False),
        sa.Column('profile', sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(['structure_id'], ['structures.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('structure_id', 'right_id', 'profile'),
    )
    op.create_table(
        'access_versions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('structure_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('rollback_of', sa.Integer(), nullable=True),
        sa.Column('changes', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['actor_id'], ['users.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['structure_id'], ['structures.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('structure_id', 'number'),
    )
    op.create_index('ix_access_versions_structure_id', 'access_versions', ['structure_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_access_versions_structure_id', table_name='access_versions')
    op.drop_table('access_versions')
    op.drop_table('right_exclusions')
