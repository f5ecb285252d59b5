"""flash messages (tableau d'affichage)

Revision ID: k0004
Revises: k0003
Create Date: 2026-11-23 13:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'k0004'
down_revision = 'k0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('flash_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('structure_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('profiles', sa.JSON(), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('colour', sa.String(length=16), nullable=False),
    sa.Column('notify_by_mail', sa.Boolean(), nullable=False),
    sa.Column('notified_at', sa.DateTime(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_flash_messages_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['structure_id'], ['structures.id'], name=op.f('fk_flash_messages_structure_id_structures'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_flash_messages'))
    )
    with op.batch_alter_table('flash_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_flash_messages_ends_on'), ['ends_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_flash_messages_starts_on'), ['starts_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_flash_messages_structure_id'), ['structure_id'], unique=False)

    op.create_table('flash_reads',
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('read_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['flash_messages.id'], name=op.f('fk_flash_reads_message_id_flash_messages'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_flash_reads_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('message_id', 'user_id', name=op.f('pk_flash_reads'))
    )
    with op.batch_alter_table('flash_reads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_flash_reads_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('flash_reads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_flash_reads_user_id'))
    op.drop_table('flash_reads')
    with op.batch_alter_table('flash_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_flash_messages_structure_id'))
        batch_op.drop_index(batch_op.f('ix_flash_messages_starts_on'))
        batch_op.drop_index(batch_op.f('ix_flash_messages_ends_on'))
    op.drop_table('flash_messages')
