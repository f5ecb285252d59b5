"""flash initial: flash messages (tableau d'affichage) and their reads

The kernel created these tables (revision k0004) before the flash messages became a plugin: a database from
before the move already has them, so each is created only where it is missing, and its rows are kept. There,
the messages reached everyone without an app to enable: so that their readers keep them, the app is enabled
for each structure that has messages and its right ``flash.read`` granted to that structure's five profile
groups (what "Activer" grants by default), unless an administrator already decided otherwise.

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
    before_the_move = _exists('flash_messages')
    if not before_the_move:
        _create_messages()
    if not _exists('flash_reads'):
        _create_reads()
    if before_the_move:
        _keep_the_readers()


def _keep_the_readers() -> None:
    bind = op.get_bind()
    structures = bind.execute(sa.text('SELECT DISTINCT structure_id FROM flash_messages')).scalars().all()
    for structure_id in structures:
        decided = bind.execute(sa.text("SELECT 1 FROM app_enablements WHERE structure_id = :s AND app_id = 'flash'"),
                               {'s': structure_id}).first()
        if decided is not None:
            continue
        bind.execute(sa.text("INSERT INTO app_enablements (structure_id, app_id, enabled) VALUES (:s, 'flash', :on)"),
                     {'s': structure_id, 'on': True})
        groups = bind.execute(sa.text(
            "SELECT id FROM groups WHERE structure_id = :s AND kind = 'profile' AND profile IS NOT NULL"),
            {'s': structure_id}).scalars().all()
        for group_id in groups:
            bind.execute(sa.text("INSERT INTO right_grants (right_id, structure_id, group_id) "
                                 "VALUES ('flash.read', :s, :g)"), {'s': structure_id, 'g': group_id})


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
