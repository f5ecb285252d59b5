"""hello initial: the notes table

Revision ID: hello_0001
Revises:
Create Date: 2026-11-23 10:10:55.618612

Generated with ``preau db revision hello -m "hello initial"``, then renamed: revision ids carry the app id so
that they never collide with the kernel's or another plugin's. Préau records them in ``alembic_version_hello``.
"""
import sqlalchemy as sa
from alembic import op

revision = "hello_0001"
down_revision = None
branch_labels = ("hello",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hello_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=280), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_hello_notes_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hello_notes")),
    )
    with op.batch_alter_table("hello_notes", schema=None) as batch_op:
        batch_op.create_index("ix_hello_notes_user_created", ["user_id", "created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("hello_notes", schema=None) as batch_op:
        batch_op.drop_index("ix_hello_notes_user_created")
    op.drop_table("hello_notes")
