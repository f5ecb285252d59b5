"""Login defences: second-factor state on the server session; attempts counted per kind and per known device

Revision ID: k0014
Revises: k0013
Create Date: 2026-12-01 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'k0014'
down_revision = 'k0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('auth_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('second_factor_pending', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
        batch_op.add_column(sa.Column('second_factor_failures', sa.Integer(), server_default='0', nullable=False))
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=16), server_default='password', nullable=False))
        batch_op.add_column(sa.Column('device', sa.String(length=32), nullable=True))
    # Until now "waiting for the second factor" lived in the cookie only: the open sessions of accounts with a
    # second factor end once, so that none that was pending passes as complete.
    op.execute(sa.text(
        "UPDATE auth_sessions SET ended_at = CURRENT_TIMESTAMP WHERE ended_at IS NULL AND user_id IN "
        "(SELECT user_id FROM totp_credentials WHERE confirmed_at IS NOT NULL)"))


def downgrade() -> None:
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.drop_column('device')
        batch_op.drop_column('kind')
    with op.batch_alter_table('auth_sessions', schema=None) as batch_op:
        batch_op.drop_column('second_factor_failures')
        batch_op.drop_column('second_factor_pending')
