"""Lifecycle: "Mes données" exports; dismissed duplicates; TOTP second factor; archived classes (year transition)

Revision ID: k0013
Revises: k0012
Create Date: 2026-11-23 18:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'k0013'
down_revision = 'k0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('data_exports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=True),
    sa.Column('storage_key', sa.String(length=100), nullable=True),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_data_exports_job_id_jobs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_data_exports_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_exports'))
    )
    op.create_table('duplicate_dismissals',
    sa.Column('first_id', sa.Integer(), nullable=False),
    sa.Column('second_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('first_id < second_id', name=op.f('ck_duplicate_dismissals_ordered')),
    sa.ForeignKeyConstraint(['first_id'], ['users.id'], name=op.f('fk_duplicate_dismissals_first_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['second_id'], ['users.id'], name=op.f('fk_duplicate_dismissals_second_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('first_id', 'second_id', name=op.f('pk_duplicate_dismissals'))
    )
    op.create_table('totp_credentials',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('secret', sa.Text(), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(), nullable=True),
    sa.Column('last_step', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_totp_credentials_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_totp_credentials'))
    )
    with op.batch_alter_table('classes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('archived_at', sa.DateTime(), nullable=True))
    op.create_index(op.f('ix_data_exports_expires_at'), 'data_exports', ['expires_at'], unique=False)
    op.create_index(op.f('ix_data_exports_user_id'), 'data_exports', ['user_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_data_exports_user_id'), table_name='data_exports')
    op.drop_index(op.f('ix_data_exports_expires_at'), table_name='data_exports')
    op.drop_table('data_exports')
    op.drop_table('totp_credentials')
    op.drop_table('duplicate_dismissals')
    with op.batch_alter_table('classes', schema=None) as batch_op:
        batch_op.drop_column('archived_at')
