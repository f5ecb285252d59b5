"""lti initial: tools, deployments, platform keys, used nonces, resource links, line items and scores

The tables were the kernel's (its revision k0009, now empty): a database created before they moved already has
them, so each one is created only when missing, and its data is kept.

Revision ID: lti_0001
Revises:
Create Date: 2026-12-07 21:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "lti_0001"
down_revision = None
branch_labels = ("lti",)
depends_on = None


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if 'lti_keys' not in existing:
        op.create_table('lti_keys',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kid', sa.String(length=64), nullable=False),
        sa.Column('private_pem', sa.Text(), nullable=False),
        sa.Column('public_jwk', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('retired_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_lti_keys')),
        sa.UniqueConstraint('kid', name=op.f('uq_lti_keys_kid'))
        )
    if 'lti_nonces' not in existing:
        op.create_table('lti_nonces',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('client_id', sa.String(length=64), nullable=False),
        sa.Column('value', sa.String(length=255), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_lti_nonces')),
        sa.UniqueConstraint('client_id', 'value', name=op.f('uq_lti_nonces_client_id_value'))
        )
        op.create_index(op.f('ix_lti_nonces_expires_at'), 'lti_nonces', ['expires_at'], unique=False)
    if 'lti_tools' not in existing:
        op.create_table('lti_tools',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('structure_id', sa.Integer(), nullable=False),
        sa.Column('launch_key', sa.String(length=200), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('client_id', sa.String(length=64), nullable=False),
        sa.Column('login_url', sa.String(length=2000), nullable=False),
        sa.Column('target_link_uri', sa.String(length=2000), nullable=False),
        sa.Column('redirect_uris', sa.JSON(), nullable=False),
        sa.Column('jwks_url', sa.String(length=2000), nullable=True),
        sa.Column('public_key_pem', sa.Text(), nullable=True),
        sa.Column('deep_link_url', sa.String(length=2000), nullable=True),
        sa.Column('services', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['structure_id'], ['structures.id'], name=op.f('fk_lti_tools_structure_id_structures'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_lti_tools')),
        sa.UniqueConstraint('client_id', name=op.f('uq_lti_tools_client_id')),
        sa.UniqueConstraint('structure_id', 'launch_key', name=op.f('uq_lti_tools_structure_id_launch_key'))
        )
        op.create_index(op.f('ix_lti_tools_structure_id'), 'lti_tools', ['structure_id'], unique=False)
    if 'lti_deployments' not in existing:
        op.create_table('lti_deployments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('tool_id', sa.Integer(), nullable=False),
        sa.Column('structure_id', sa.Integer(), nullable=False),
        sa.Column('deployment_id', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(['structure_id'], ['structures.id'], name=op.f('fk_lti_deployments_structure_id_structures'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tool_id'], ['lti_tools.id'], name=op.f('fk_lti_deployments_tool_id_lti_tools'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_lti_deployments')),
        sa.UniqueConstraint('tool_id', 'deployment_id', name=op.f('uq_lti_deployments_tool_id_deployment_id')),
        sa.UniqueConstraint('tool_id', 'structure_id', name=op.f('uq_lti_deployments_tool_id_structure_id'))
        )
    if 'lti_line_items' not in existing:
        op.create_table('lti_line_items',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('tool_id', sa.Integer(), nullable=False),
        sa.Column('class_id', sa.Integer(), nullable=False),
        sa.Column('resource_link_id', sa.String(length=64), nullable=True),
        sa.Column('label', sa.String(length=200), nullable=False),
        sa.Column('score_maximum', sa.Float(), nullable=False),
        sa.Column('resource_id', sa.String(length=200), nullable=True),
        sa.Column('tag', sa.String(length=200), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['class_id'], ['classes.id'], name=op.f('fk_lti_line_items_class_id_classes'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tool_id'], ['lti_tools.id'], name=op.f('fk_lti_line_items_tool_id_lti_tools'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_lti_line_items'))
        )
        op.create_index('ix_lti_line_items_tool_class', 'lti_line_items', ['tool_id', 'class_id'], unique=False)
    if 'lti_resource_links' not in existing:
        op.create_table('lti_resource_links',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('tool_id', sa.Integer(), nullable=False),
        sa.Column('class_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('url', sa.String(length=2000), nullable=True),
        sa.Column('custom', sa.JSON(), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['class_id'], ['classes.id'], name=op.f('fk_lti_resource_links_class_id_classes'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_lti_resource_links_created_by_users'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['tool_id'], ['lti_tools.id'], name=op.f('fk_lti_resource_links_tool_id_lti_tools'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_lti_resource_links'))
        )
        op.create_index(op.f('ix_lti_resource_links_class_id'), 'lti_resource_links', ['class_id'], unique=False)
    if 'lti_scores' not in existing:
        op.create_table('lti_scores',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('line_item_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('score_given', sa.Float(), nullable=True),
        sa.Column('score_maximum', sa.Float(), nullable=True),
        sa.Column('activity_progress', sa.String(length=20), nullable=False),
        sa.Column('grading_progress', sa.String(length=20), nullable=False),
        sa.Column('comment', sa.Text(), nullable=True),
        sa.Column('timestamp', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['line_item_id'], ['lti_line_items.id'], name=op.f('fk_lti_scores_line_item_id_lti_line_items'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_lti_scores_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_lti_scores')),
        sa.UniqueConstraint('line_item_id', 'user_id', name=op.f('uq_lti_scores_line_item_id_user_id'))
        )


def downgrade() -> None:
    op.drop_table('lti_scores')
    op.drop_index(op.f('ix_lti_resource_links_class_id'), table_name='lti_resource_links')
    op.drop_table('lti_resource_links')
    op.drop_index('ix_lti_line_items_tool_class', table_name='lti_line_items')
    op.drop_table('lti_line_items')
    op.drop_table('lti_deployments')
    op.drop_index(op.f('ix_lti_tools_structure_id'), table_name='lti_tools')
    op.drop_table('lti_tools')
    op.drop_index(op.f('ix_lti_nonces_expires_at'), table_name='lti_nonces')
    op.drop_table('lti_nonces')
    op.drop_table('lti_keys')
