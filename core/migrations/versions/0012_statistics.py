"""Statistics counters: daily counters, daily visitors, daily app visits

Revision ID: k0012
Revises: k0011
Create Date: 2026-11-23 18:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'k0012'
down_revision = 'k0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('stat_counters',
    sa.Column('structure_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('profile', sa.String(length=16), nullable=False),
    sa.Column('metric', sa.String(length=16), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['structure_id'], ['structures.id'], name=op.f('fk_stat_counters_structure_id_structures'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('structure_id', 'day', 'profile', 'metric', 'key', name=op.f('pk_stat_counters')),
    sqlite_with_rowid=False
    )
    op.create_table('stat_visitors',
    sa.Column('structure_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('profile', sa.String(length=16), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['structure_id'], ['structures.id'], name=op.f('fk_stat_visitors_structure_id_structures'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_stat_visitors_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('structure_id', 'day', 'profile', 'user_id', name=op.f('pk_stat_visitors')),
    sqlite_with_rowid=False
    )
    op.create_index('ix_stat_visitors_user_id', 'stat_visitors', ['user_id'], unique=False)
    op.create_table('stat_app_visits',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('app_id', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_stat_app_visits_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('day', 'user_id', 'app_id', name=op.f('pk_stat_app_visits')),
    sqlite_with_rowid=False
    )
    op.create_index('ix_stat_app_visits_user_id', 'stat_app_visits', ['user_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_stat_app_visits_user_id', table_name='stat_app_visits')
    op.drop_table('stat_app_visits')
    op.drop_index('ix_stat_visitors_user_id', table_name='stat_visitors')
    op.drop_table('stat_visitors')
    op.drop_table('stat_counters')
