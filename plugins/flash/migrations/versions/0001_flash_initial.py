"""flash initial: flash messages (tableau d'affichage) and their reads

The kernel created these tables (revision k0004) before the flash messages became a plugin: a database from
before the move already has them, so each is created only where it is missing, and its rows are kept.

Revision ID: flash0001
Revises:
Create Date: 2026-12-07 21:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'flash0001'
down_revision = None
branch_labels = ('flash',)
depends_on = None  # users and structures: the kernel's branch always runs first (preau.migrate.upgrade)


def _exists(table: str) -> bool:
    return sa.inspect(op.get_bind()).has_table(table)


def upgrade() -> None:
    if not _exists('flash_messages'):
        _create_messages()
    if not _exists('flash_reads'):
        _create_reads()


def _create_messages() -> None:
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


def _create_reads() -> None:
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
