"""Directory imports: subjects, MEF, import runs, feed fingerprints (reserved)

Revision ID: k0011
Revises: k0010
Create Date: 2026-11-23 18:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'k0011'
down_revision = 'k0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ('subjects', 'mefs'):
        op.create_table(table,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=16), nullable=False),
        sa.Column('code', sa.String(length=64), nullable=False),
        sa.Column('label', sa.String(length=200), nullable=False),
        sa.Column('structure_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['structure_id'], ['structures.id'], name=op.f(f'fk_{table}_structure_id_structures'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}')),
        sa.UniqueConstraint('source', 'code', name=op.f(f'uq_{table}_source_code'))
        )
    op.create_table('import_fingerprints',
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('external_id', sa.String(length=64), nullable=False),
    sa.Column('digest', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('source', 'kind', 'external_id', name=op.f('pk_import_fingerprints'))
    )
    op.create_table('import_pending_deletions',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('previous_state', sa.String(length=20), nullable=False),
    sa.Column('since', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_import_pending_deletions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_import_pending_deletions'))
    )
    op.create_table('import_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('structure_id', sa.Integer(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('dry_run', sa.Boolean(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.Column('problems', sa.JSON(), nullable=False),
    sa.Column('problem_count', sa.Integer(), nullable=False),
    sa.Column('message', sa.String(length=1000), nullable=True),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_import_runs_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['structure_id'], ['structures.id'], name=op.f('fk_import_runs_structure_id_structures'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_runs'))
    )
    op.create_index(op.f('ix_import_runs_started_at'), 'import_runs', ['started_at'], unique=False)
    op.create_index(op.f('ix_import_runs_structure_id'), 'import_runs', ['structure_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_import_runs_structure_id'), table_name='import_runs')
    op.drop_index(op.f('ix_import_runs_started_at'), table_name='import_runs')
    op.drop_table('import_runs')
    op.drop_table('import_pending_deletions')
    op.drop_table('import_fingerprints')
    op.drop_table('mefs')
    op.drop_table('subjects')
