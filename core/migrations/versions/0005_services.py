"""services administration: links, connector catalogue entries and per-structure connector settings

Revision ID: k0005
Revises: k0004
Create Date: 2026-11-23 13:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'k0005'
down_revision = 'k0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('service_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('structure_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.Column('theme', sa.String(length=40), nullable=False),
    sa.Column('icon', sa.String(length=40), nullable=False),
    sa.Column('profiles', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['structure_id'], ['structures.id'], name=op.f('fk_service_links_structure_id_structures'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_links'))
    )
    with op.batch_alter_table('service_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_links_structure_id'), ['structure_id'], unique=False)

    op.create_table('structure_connectors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('structure_id', sa.Integer(), nullable=False),
    sa.Column('catalogue_id', sa.String(length=40), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('values', sa.JSON(), nullable=False),
    sa.Column('secrets', sa.JSON(), nullable=False),
    sa.Column('profiles', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['structure_id'], ['structures.id'], name=op.f('fk_structure_connectors_structure_id_structures'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_structure_connectors')),
    sa.UniqueConstraint('structure_id', 'catalogue_id', name=op.f('uq_structure_connectors_structure_id_catalogue_id'))
    )
    with op.batch_alter_table('structure_connectors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_structure_connectors_structure_id'), ['structure_id'], unique=False)

    op.create_table('service_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('link_id', sa.Integer(), nullable=True),
    sa.Column('connector_id', sa.Integer(), nullable=True),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('class_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('(group_id IS NULL) <> (class_id IS NULL)', name=op.f('ck_service_targets_one_target')),
    sa.CheckConstraint('(link_id IS NULL) <> (connector_id IS NULL)', name=op.f('ck_service_targets_one_service')),
    sa.ForeignKeyConstraint(['class_id'], ['classes.id'], name=op.f('fk_service_targets_class_id_classes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['connector_id'], ['structure_connectors.id'], name=op.f('fk_service_targets_connector_id_structure_connectors'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_service_targets_group_id_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['link_id'], ['service_links.id'], name=op.f('fk_service_targets_link_id_service_links'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_targets'))
    )
    with op.batch_alter_table('service_targets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_targets_connector_id'), ['connector_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_targets_link_id'), ['link_id'], unique=False)


def downgrade() -> None:
    op.drop_table('service_targets')
    op.drop_table('structure_connectors')
    op.drop_table('service_links')
