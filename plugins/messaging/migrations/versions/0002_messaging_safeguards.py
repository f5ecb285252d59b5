"""messaging safeguards: policies, structure options, suspensions, outbound counts, moderation queue, children

Revision ID: m0002
Revises: m0001
Create Date: 2026-11-23 12:25:00
"""
import sqlalchemy as sa
from alembic import op

revision = "m0002"
down_revision = "m0001"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"),
                                   ondelete=ondelete)


def upgrade() -> None:
    op.create_table(
        "messaging_policies",
        sa.Column("structure_id", sa.Integer(), nullable=False),
        sa.Column("profile", sa.String(length=16), nullable=False),
        sa.Column("hourly_limit", sa.Integer(), nullable=True),
        sa.Column("messaging_off", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        _fk("messaging_policies", "structure_id", "structures", "CASCADE"),
        _fk("messaging_policies", "updated_by", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("structure_id", "profile", name=op.f("pk_messaging_policies")),
    )
    op.create_table(
        "messaging_structure_options",
        sa.Column("structure_id", sa.Integer(), nullable=False),
        sa.Column("read_receipts", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        _fk("messaging_structure_options", "structure_id", "structures", "CASCADE"),
        _fk("messaging_structure_options", "updated_by", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("structure_id", name=op.f("pk_messaging_structure_options")),
    )
    op.create_table(
        "messaging_suspensions",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("suspended_at", sa.DateTime(), nullable=False),
        sa.Column("suspended_by", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        _fk("messaging_suspensions", "user_id", "users", "CASCADE"),
        _fk("messaging_suspensions", "suspended_by", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_messaging_suspensions")),
    )
    op.create_table(
        "messaging_outbound",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("recipients", sa.Integer(), nullable=False),
        _fk("messaging_outbound", "sender_id", "users", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messaging_outbound")),
    )
    op.create_index("ix_messaging_outbound_sender_at", "messaging_outbound", ["sender_id", "at"])
    op.create_table(
        "messaging_moderation_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("structure_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("decision", sa.String(length=8), nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        _fk("messaging_moderation_items", "structure_id", "structures", "CASCADE"),
        _fk("messaging_moderation_items", "message_id", "messaging_messages", "CASCADE"),
        _fk("messaging_moderation_items", "user_id", "users", "SET NULL"),
        _fk("messaging_moderation_items", "decided_by", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messaging_moderation_items")),
    )
    op.create_index("ix_messaging_moderation_items_queue", "messaging_moderation_items",
                    ["structure_id", "decision", "created_at"])
    op.create_index(op.f("ix_messaging_moderation_items_message_id"), "messaging_moderation_items",
                    ["message_id"])
    op.create_table(
        "messaging_delivery_children",
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        _fk("messaging_delivery_children", "message_id", "messaging_messages", "CASCADE"),
        _fk("messaging_delivery_children", "user_id", "users", "CASCADE"),
        _fk("messaging_delivery_children", "child_id", "users", "CASCADE"),
        sa.PrimaryKeyConstraint("message_id", "user_id", "child_id", name=op.f("pk_messaging_delivery_children")),
    )


def downgrade() -> None:
    op.drop_table("messaging_delivery_children")
    op.drop_index(op.f("ix_messaging_moderation_items_message_id"), table_name="messaging_moderation_items")
    op.drop_index("ix_messaging_moderation_items_queue", table_name="messaging_moderation_items")
    op.drop_table("messaging_moderation_items")
    op.drop_index("ix_messaging_outbound_sender_at", table_name="messaging_outbound")
    op.drop_table("messaging_outbound")
    op.drop_table("messaging_suspensions")
    op.drop_table("messaging_structure_options")
    op.drop_table("messaging_policies")
