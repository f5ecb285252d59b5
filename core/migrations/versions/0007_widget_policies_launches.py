"""widget visibility and mandatory widgets per profile and structure; connector launch events; attributes released per connector

Revision ID: k0007
Revises: k0006
Create Date: 2026-11-23 15:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'k0007'
down_revision = 'k0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('widget_policies',
    sa.Column('structure_id', sa.Integer(), nullable=False),
    sa.Column('widget_id', sa.String(length=100), nullable=False),
    sa.Column('profile', sa.String(length=20), nullable=False),
    sa.Column('mode', sa.String(length=10), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['structure_id'], ['structures.id'], name=op.f('fk_widget_policies_structure_id_structures'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('structure_id', 'widget_id', 'profile', name=op.f('pk_widget_policies'))
    )
    op.create_table('connector_launches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('structure_id', sa.Integer(), nullable=True),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('profile', sa.String(length=20), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['structure_id'], ['structures.id'], name=op.f('fk_connector_launches_structure_id_structures'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_connector_launches_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_connector_launches'))
    )
    op.create_index('ix_connector_launches_structure_at', 'connector_launches', ['structure_id', 'at'], unique=False)
    op.create_index('ix_connector_launches_user_id', 'connector_launches', ['user_id'], unique=False)
    with op.batch_alter_table('structure_connectors') as batch:
        batch.add_column(sa.Column('attributes', sa.JSON(), nullable=False, server_default='[]'))


def downgrade() -> None:
    with op.batch_alter_table('structure_connectors') as batch:
        batch.drop_column('attributes')
    op.drop_index('ix_connector_launches_user_id', table_name='connector_launches')
    op.drop_index('ix_connector_launches_structure_at', table_name='connector_launches')
    op.drop_table('connector_launches')
    op.drop_table('widget_policies')
