"""vie_scolaire initial: grades and school-life events imported from CSV files

Revision ID: vie_scolaire0001
Revises:
Create Date: 2026-11-23 21:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "vie_scolaire0001"
down_revision = None
branch_labels = ("vie_scolaire",)
depends_on = None


def _owner_columns(table: str) -> list:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("structure_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("school_year", sa.String(length=9), nullable=False),
        sa.Column("period", sa.String(length=60), nullable=False),
    ]


def _tail_columns(table: str) -> list:
    return [
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("imported_by", sa.Integer(), nullable=True),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["structure_id"], ["structures.id"],
                                name=op.f(f"fk_{table}_structure_id_structures"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["student_id"], ["users.id"], name=op.f(f"fk_{table}_student_id_users"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["imported_by"], ["users.id"], name=op.f(f"fk_{table}_imported_by_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]


def upgrade() -> None:
    op.create_table(
        "vie_scolaire_grades",
        *_owner_columns("vie_scolaire_grades"),
        sa.Column("subject", sa.String(length=100), nullable=False),
        sa.Column("value", sa.String(length=16), nullable=False),
        sa.Column("out_of", sa.Float(), nullable=False),
        sa.Column("coefficient", sa.Float(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("class_average", sa.Float(), nullable=True),
        *_tail_columns("vie_scolaire_grades"),
    )
    op.create_index("ix_vie_scolaire_grades_student_day", "vie_scolaire_grades", ["student_id", "day"])
    op.create_index("ix_vie_scolaire_grades_structure_period", "vie_scolaire_grades", ["structure_id", "period"])
    op.create_table(
        "vie_scolaire_events",
        *_owner_columns("vie_scolaire_events"),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("start", sa.DateTime(), nullable=False),
        sa.Column("end", sa.DateTime(), nullable=True),
        sa.Column("minutes", sa.Integer(), nullable=True),
        sa.Column("justified", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("nature", sa.String(length=100), nullable=False),
        sa.Column("given_by", sa.String(length=100), nullable=False),
        *_tail_columns("vie_scolaire_events"),
    )
    op.create_index("ix_vie_scolaire_events_student_start", "vie_scolaire_events", ["student_id", "start"])
    op.create_index("ix_vie_scolaire_events_structure_period", "vie_scolaire_events", ["structure_id", "period"])


def downgrade() -> None:
    op.drop_index("ix_vie_scolaire_events_structure_period", table_name="vie_scolaire_events")
    op.drop_index("ix_vie_scolaire_events_student_start", table_name="vie_scolaire_events")
    op.drop_table("vie_scolaire_events")
    op.drop_index("ix_vie_scolaire_grades_structure_period", table_name="vie_scolaire_grades")
    op.drop_index("ix_vie_scolaire_grades_student_day", table_name="vie_scolaire_grades")
    op.drop_table("vie_scolaire_grades")
