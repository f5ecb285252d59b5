"""cahier initial: sessions, homework, done marks, visas, attachments

Revision ID: cahier0001
Revises:
Create Date: 2026-11-23 21:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "cahier0001"
down_revision = None
branch_labels = ("cahier",)
depends_on = None


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"),
                                   ondelete=ondelete)


def _target_columns() -> list:
    return [sa.Column("class_id", sa.Integer(), nullable=True), sa.Column("group_id", sa.Integer(), nullable=True)]


def upgrade() -> None:
    op.create_table(
        "cahier_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("structure_id", sa.Integer(), nullable=False),
        *_target_columns(),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=100), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=True),
        sa.Column("end_time", sa.Time(), nullable=True),
        sa.Column("content_html", sa.Text(), nullable=False),
        sa.Column("links", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("archived_at", sa.DateTime(), nullable=True),
        _fk("cahier_sessions", "structure_id", "structures", "CASCADE"),
        _fk("cahier_sessions", "class_id", "classes", "CASCADE"),
        _fk("cahier_sessions", "group_id", "groups", "CASCADE"),
        _fk("cahier_sessions", "author_id", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cahier_sessions")),
    )
    op.create_index("ix_cahier_sessions_author_id", "cahier_sessions", ["author_id"])
    op.create_index("ix_cahier_sessions_class_day", "cahier_sessions", ["class_id", "day"])
    op.create_index("ix_cahier_sessions_group_day", "cahier_sessions", ["group_id", "day"])
    op.create_table(
        "cahier_homework",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("structure_id", sa.Integer(), nullable=False),
        *_target_columns(),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=100), nullable=False),
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("estimated_minutes", sa.Integer(), nullable=False),
        sa.Column("instructions_html", sa.Text(), nullable=False),
        sa.Column("links", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("archived_at", sa.DateTime(), nullable=True),
        _fk("cahier_homework", "structure_id", "structures", "CASCADE"),
        _fk("cahier_homework", "class_id", "classes", "CASCADE"),
        _fk("cahier_homework", "group_id", "groups", "CASCADE"),
        _fk("cahier_homework", "author_id", "users", "SET NULL"),
        _fk("cahier_homework", "session_id", "cahier_sessions", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cahier_homework")),
    )
    op.create_index("ix_cahier_homework_author_id", "cahier_homework", ["author_id"])
    op.create_index("ix_cahier_homework_class_due", "cahier_homework", ["class_id", "due_on"])
    op.create_index("ix_cahier_homework_group_due", "cahier_homework", ["group_id", "due_on"])
    op.create_table(
        "cahier_homework_done",
        sa.Column("homework_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("done_at", sa.DateTime(), nullable=False),
        _fk("cahier_homework_done", "homework_id", "cahier_homework", "CASCADE"),
        _fk("cahier_homework_done", "student_id", "users", "CASCADE"),
        sa.PrimaryKeyConstraint("homework_id", "student_id", name=op.f("pk_cahier_homework_done")),
    )
    op.create_index("ix_cahier_homework_done_student_id", "cahier_homework_done", ["student_id"])
    op.create_table(
        "cahier_visas",
        sa.Column("id", sa.Integer(), nullable=False),
        *_target_columns(),
        sa.Column("frozen_until", sa.Date(), nullable=False),
        sa.Column("signed_by", sa.Integer(), nullable=True),
        sa.Column("signer_name", sa.String(length=200), nullable=False),
        sa.Column("signed_at", sa.DateTime(), nullable=False),
        sa.Column("comment", sa.String(length=500), nullable=False),
        _fk("cahier_visas", "class_id", "classes", "CASCADE"),
        _fk("cahier_visas", "group_id", "groups", "CASCADE"),
        _fk("cahier_visas", "signed_by", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cahier_visas")),
    )
    op.create_index("ix_cahier_visas_class_id", "cahier_visas", ["class_id"])
    op.create_index("ix_cahier_visas_group_id", "cahier_visas", ["group_id"])
    op.create_table(
        "cahier_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("homework_id", sa.Integer(), nullable=True),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("mime", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("storage_key", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _fk("cahier_attachments", "session_id", "cahier_sessions", "CASCADE"),
        _fk("cahier_attachments", "homework_id", "cahier_homework", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cahier_attachments")),
    )
    op.create_index("ix_cahier_attachments_session_id", "cahier_attachments", ["session_id"])
    op.create_index("ix_cahier_attachments_homework_id", "cahier_attachments", ["homework_id"])


def downgrade() -> None:
    for table in ("cahier_attachments", "cahier_visas", "cahier_homework_done", "cahier_homework",
                  "cahier_sessions"):
        op.drop_table(table)
