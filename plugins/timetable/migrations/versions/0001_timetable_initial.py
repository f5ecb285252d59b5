"""timetable initial: lessons (concrete occurrences) and iCalendar feed tokens

Revision ID: timetable0001
Revises:
Create Date: 2026-11-23 21:45:00
"""
import sqlalchemy as sa
from alembic import op

revision = "timetable0001"
down_revision = None
branch_labels = ("timetable",)
depends_on = None


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"),
                                   ondelete=ondelete)


def upgrade() -> None:
    op.create_table(
        "timetable_lessons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("structure_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=False),
        sa.Column("subject", sa.String(120), nullable=False),
        sa.Column("teacher_id", sa.Integer(), nullable=True),
        sa.Column("teacher_name", sa.String(200), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=True),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("room", sa.String(60), nullable=False),
        sa.Column("week_kind", sa.String(1), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("change_note", sa.String(200), nullable=False),
        sa.Column("series_id", sa.String(32), nullable=True),
        sa.Column("source", sa.String(10), nullable=False),
        sa.Column("external_uid", sa.String(255), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("archived", sa.Boolean(), nullable=False),
        _fk("timetable_lessons", "structure_id", "structures", "CASCADE"),
        _fk("timetable_lessons", "teacher_id", "users", "SET NULL"),
        _fk("timetable_lessons", "class_id", "classes", "CASCADE"),
        _fk("timetable_lessons", "group_id", "groups", "CASCADE"),
        _fk("timetable_lessons", "created_by_id", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timetable_lessons")),
    )
    op.create_index("ix_timetable_lessons_structure_starts", "timetable_lessons", ["structure_id", "starts_at"])
    op.create_index("ix_timetable_lessons_class_starts", "timetable_lessons", ["class_id", "starts_at"])
    op.create_index("ix_timetable_lessons_group_starts", "timetable_lessons", ["group_id", "starts_at"])
    op.create_index("ix_timetable_lessons_teacher_starts", "timetable_lessons", ["teacher_id", "starts_at"])
    op.create_index("ix_timetable_lessons_room_starts", "timetable_lessons", ["structure_id", "room", "starts_at"])
    op.create_index("ix_timetable_lessons_series", "timetable_lessons", ["series_id"])
    op.create_table(
        "timetable_feeds",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _fk("timetable_feeds", "user_id", "users", "CASCADE"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_timetable_feeds")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_timetable_feeds_token_hash")),
    )


def downgrade() -> None:
    op.drop_table("timetable_feeds")
    op.drop_table("timetable_lessons")
