"""vie_scolaire: competences imported from CSV files (an école assesses competences, not grades on /20)

Revision ID: vie_scolaire0002
Revises: vie_scolaire0001
Create Date: 2026-12-08 01:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "vie_scolaire0002"
down_revision = "vie_scolaire0001"
branch_labels = None
depends_on = None

TABLE = "vie_scolaire_skills"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("structure_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("school_year", sa.String(length=9), nullable=False),
        sa.Column("period", sa.String(length=60), nullable=False),
        sa.Column("subject", sa.String(length=100), nullable=False),
        sa.Column("domain", sa.String(length=500), nullable=False),
        sa.Column("label", sa.String(length=500), nullable=False),
        sa.Column("level", sa.String(length=40), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("imported_by", sa.Integer(), nullable=True),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["structure_id"], ["structures.id"], name=op.f(f"fk_{TABLE}_structure_id_structures"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["student_id"], ["users.id"], name=op.f(f"fk_{TABLE}_student_id_users"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["imported_by"], ["users.id"], name=op.f(f"fk_{TABLE}_imported_by_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{TABLE}")),
    )
    op.create_index("ix_vie_scolaire_skills_student_day", TABLE, ["student_id", "day"])
    op.create_index("ix_vie_scolaire_skills_structure_period", TABLE, ["structure_id", "period"])


def downgrade() -> None:
    op.drop_index("ix_vie_scolaire_skills_structure_period", table_name=TABLE)
    op.drop_index("ix_vie_scolaire_skills_student_day", table_name=TABLE)
    op.drop_table(TABLE)
