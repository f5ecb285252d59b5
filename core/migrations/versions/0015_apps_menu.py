"""Mes Applis: the menu an administrator arranges per structure (groups, tiles, hidden profiles, icons) and the
order of a user's favourites

Revision ID: k0015
Revises: k0014
Create Date: 2026-12-08 01:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'k0015'
down_revision = 'k0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'apps_menu_groups',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('structure_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['structure_id'], ['structures.id'],
                                name=op.f('fk_apps_menu_groups_structure_id_structures'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_apps_menu_groups')),
    )
    with op.batch_alter_table('apps_menu_groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_apps_menu_groups_structure_id'), ['structure_id'], unique=False)
    op.create_table(
        'apps_menu_tiles',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('structure_id', sa.Integer(), nullable=False),
        sa.Column('group_id', sa.Integer(), nullable=False),
        sa.Column('tile_key', sa.String(length=200), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('hidden_profiles', sa.JSON(), nullable=False),
        sa.Column('icon', sa.String(length=40), nullable=True),
        sa.Column('image', sa.LargeBinary(), nullable=True),
        sa.Column('image_mime', sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(['group_id'], ['apps_menu_groups.id'],
                                name=op.f('fk_apps_menu_tiles_group_id_apps_menu_groups'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['structure_id'], ['structures.id'],
                                name=op.f('fk_apps_menu_tiles_structure_id_structures'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_apps_menu_tiles')),
        sa.UniqueConstraint('structure_id', 'tile_key', name=op.f('uq_apps_menu_tiles_structure_id_tile_key')),
    )
    with op.batch_alter_table('apps_menu_tiles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_apps_menu_tiles_group_id'), ['group_id'], unique=False)
    with op.batch_alter_table('app_favourites', schema=None) as batch_op:
        batch_op.add_column(sa.Column('position', sa.Integer(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('app_favourites', schema=None) as batch_op:
        batch_op.drop_column('position')
    op.drop_table('apps_menu_tiles')
    op.drop_table('apps_menu_groups')
