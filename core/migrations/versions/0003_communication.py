"""communication rules: links between groups, per-structure switches, history

Existing structures get their "Tous" group and the default rules, as new ones do.

Revision ID: k0003
Revises: k0002
Create Date: 2026-11-23 12:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'k0003'
down_revision = 'k0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('comm_links',
    sa.Column('from_group_id', sa.Integer(), nullable=False),
    sa.Column('to_group_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['from_group_id'], ['groups.id'], name=op.f('fk_comm_links_from_group_id_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['to_group_id'], ['groups.id'], name=op.f('fk_comm_links_to_group_id_groups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('from_group_id', 'to_group_id', name=op.f('pk_comm_links'))
    )
    with op.batch_alter_table('comm_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comm_links_to_group_id'), ['to_group_id'], unique=False)

    op.create_table('comm_settings',
    sa.Column('structure_id', sa.Integer(), nullable=False),
    sa.Column('tous_enabled', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['structure_id'], ['structures.id'], name=op.f('fk_comm_settings_structure_id_structures'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('structure_id', name=op.f('pk_comm_settings'))
    )
    op.create_table('comm_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('structure_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('summary', sa.String(length=500), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_comm_versions_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['structure_id'], ['structures.id'], name=op.f('fk_comm_versions_structure_id_structures'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comm_versions')),
    sa.UniqueConstraint('structure_id', 'number', name=op.f('uq_comm_versions_structure_id_number'))
    )
    with op.batch_alter_table('comm_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comm_versions_structure_id'), ['structure_id'], unique=False)

    _install_defaults_for_existing_structures()


def _install_defaults_for_existing_structures() -> None:
    from preau.directory.default_links import (  # noqa: PLC0415 - the rules live in the kernel, once
        insert_links, members_communicate_by_default, rules_for_structures)

    bind = op.get_bind()
    bind.execute(sa.text(
        "INSERT INTO groups (structure_id, class_id, kind, profile, name, members_communicate, source) "
        "SELECT s.id, NULL, 'profile', NULL, 'Tous — ' || s.name, :off, s.source FROM structures s "
        "WHERE NOT EXISTS (SELECT 1 FROM groups g WHERE g.structure_id = s.id AND g.kind = 'profile' "
        "AND g.profile IS NULL)"), {"off": members_communicate_by_default("profile", None)})
    bind.execute(sa.text(
        "INSERT INTO group_members (group_id, user_id) SELECT DISTINCT g.id, r.user_id FROM roles r "
        "JOIN groups g ON g.structure_id = r.structure_id AND g.kind = 'profile' AND g.profile IS NULL"))
    structure_ids = list(bind.scalars(sa.text("SELECT id FROM structures")))
    if not structure_ids:
        return
    rules = rules_for_structures(bind, structure_ids)
    insert_links(bind, rules.links)
    for value in (True, False):
        ids = [g for g, v in rules.members.items() if v is value]
        if ids:
            bind.execute(sa.text("UPDATE groups SET members_communicate = :v WHERE id IN :ids").bindparams(
                sa.bindparam("ids", expanding=True)), {"v": value, "ids": ids})


def downgrade() -> None:
    op.drop_table('comm_versions')
    op.drop_table('comm_links')
    op.drop_table('comm_settings')
    op.execute("DELETE FROM groups WHERE kind = 'profile' AND profile IS NULL")
