"""dashboard layouts per user and per profile, favourites in Mes Applis

Revision ID: k0006
Revises: k0005
Create Date: 2026-11-23 13:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'k0006'
down_revision = 'k0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('app_favourites',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('item_key', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_app_favourites_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'item_key', name=op.f('pk_app_favourites'))
    )
    op.create_table('dashboard_defaults',
    sa.Column('structure_id', sa.Integer(), nullable=False),
    sa.Column('profile', sa.String(length=20), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['structure_id'], ['structures.id'], name=op.f('fk_dashboard_defaults_structure_id_structures'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('structure_id', 'profile', name=op.f('pk_dashboard_defaults'))
    )
    op.create_table('dashboard_layouts',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_dashboard_layouts_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_dashboard_layouts'))
    )


def downgrade() -> None:
    op.drop_table('dashboard_layouts')
    op.drop_table('dashboard_defaults')
    op.drop_table('app_favourites')
