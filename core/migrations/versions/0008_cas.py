"""CAS server tickets and attribute release per connector

Revision ID: k0008
Revises: k0007
Create Date: 2026-11-23 15:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'k0008'
down_revision = 'k0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('cas_tickets',
    sa.Column('id', sa.String(length=128), nullable=False),
    sa.Column('kind', sa.String(length=4), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('structure_id', sa.Integer(), nullable=True),
    sa.Column('profile', sa.String(length=20), nullable=False),
    sa.Column('service', sa.String(length=2000), nullable=False),
    sa.Column('sso_session', sa.String(length=64), nullable=False),
    sa.Column('primary', sa.Boolean(), nullable=False),
    sa.Column('used', sa.Boolean(), nullable=False),
    sa.Column('attributes', sa.JSON(), nullable=False),
    sa.Column('proxies', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['structure_id'], ['structures.id'], name=op.f('fk_cas_tickets_structure_id_structures'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_cas_tickets_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cas_tickets'))
    )
    op.create_index('ix_cas_tickets_expires_at', 'cas_tickets', ['expires_at'], unique=False)
    op.create_index(op.f('ix_cas_tickets_sso_session'), 'cas_tickets', ['sso_session'], unique=False)
    op.create_index(op.f('ix_cas_tickets_user_id'), 'cas_tickets', ['user_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_cas_tickets_user_id'), table_name='cas_tickets')
    op.drop_index(op.f('ix_cas_tickets_sso_session'), table_name='cas_tickets')
    op.drop_index('ix_cas_tickets_expires_at', table_name='cas_tickets')
    op.drop_table('cas_tickets')
