"""actualites initial: threads, roles, news items, comments and images

Revision ID: actualites0001
Revises:
Create Date: 2026-11-23 21:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = "actualites0001"
down_revision = None
branch_labels = ("actualites",)
depends_on = None


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    referred = target.split(".")[0]
    return sa.ForeignKeyConstraint([column], [target], name=op.f(f"fk_{table}_{column}_{referred}"),
                                   ondelete=ondelete)


def upgrade() -> None:
    op.create_table(
        "actualites_threads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("structure_id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("comments_enabled", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("archived_at", sa.DateTime(), nullable=True),
        _fk("actualites_threads", "structure_id", "structures.id", "CASCADE"),
        _fk("actualites_threads", "class_id", "classes.id", "CASCADE"),
        _fk("actualites_threads", "created_by", "users.id", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actualites_threads")),
    )
    op.create_index("ix_actualites_threads_structure_id", "actualites_threads", ["structure_id"])
    op.create_index("ix_actualites_threads_class_id", "actualites_threads", ["class_id"])

    op.create_table(
        "actualites_grants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("(user_id IS NULL) <> (group_id IS NULL)", name=op.f("ck_actualites_grants_one_grantee")),
        sa.CheckConstraint("role BETWEEN 1 AND 5", name=op.f("ck_actualites_grants_known_role")),
        _fk("actualites_grants", "thread_id", "actualites_threads.id", "CASCADE"),
        _fk("actualites_grants", "user_id", "users.id", "CASCADE"),
        _fk("actualites_grants", "group_id", "groups.id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actualites_grants")),
    )
    for column in ("thread_id", "user_id", "group_id"):
        op.create_index(f"ix_actualites_grants_{column}", "actualites_grants", [column])

    op.create_table(
        "actualites_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("author_name", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("publish_at", sa.DateTime(), nullable=True),
        sa.Column("expire_at", sa.DateTime(), nullable=True),
        sa.Column("is_public", sa.Boolean(), nullable=False),
        sa.Column("refusal_reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("published_by", sa.Integer(), nullable=True),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        _fk("actualites_items", "thread_id", "actualites_threads.id", "CASCADE"),
        _fk("actualites_items", "author_id", "users.id", "SET NULL"),
        _fk("actualites_items", "published_by", "users.id", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actualites_items")),
    )
    op.create_index("ix_actualites_items_author_id", "actualites_items", ["author_id"])
    op.create_index("ix_actualites_items_thread_state", "actualites_items", ["thread_id", "state", "publish_at"])

    op.create_table(
        "actualites_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("author_name", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        _fk("actualites_comments", "item_id", "actualites_items.id", "CASCADE"),
        _fk("actualites_comments", "author_id", "users.id", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actualites_comments")),
    )
    op.create_index("ix_actualites_comments_item_id", "actualites_comments", ["item_id"])
    op.create_index("ix_actualites_comments_author_id", "actualites_comments", ["author_id"])

    op.create_table(
        "actualites_images",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=True),
        sa.Column("storage_key", sa.String(length=64), nullable=False),
        sa.Column("mime", sa.String(length=32), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _fk("actualites_images", "thread_id", "actualites_threads.id", "CASCADE"),
        _fk("actualites_images", "uploaded_by", "users.id", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actualites_images")),
    )
    op.create_index("ix_actualites_images_thread_id", "actualites_images", ["thread_id"])
    op.create_index("ix_actualites_images_uploaded_by", "actualites_images", ["uploaded_by"])


def downgrade() -> None:
    for table in ("actualites_images", "actualites_comments", "actualites_items", "actualites_grants",
                  "actualites_threads"):
        op.drop_table(table)
