"""carnet initial: mots, recipients (signatures), replies, reminders

Revision ID: carnet0001
Revises:
Create Date: 2026-11-23 21:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = "carnet0001"
down_revision = None
branch_labels = ("carnet",)
depends_on = None


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"),
                                   ondelete=ondelete)


def upgrade() -> None:
    op.create_table(
        "carnet_mots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("structure_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("author_name", sa.String(200), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("target_kind", sa.String(8), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("target_name", sa.String(200), nullable=False),
        sa.Column("requires_signature", sa.Boolean(), nullable=False),
        sa.Column("replies_allowed", sa.Boolean(), nullable=False),
        sa.Column("recipient_count", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.Column("archived_at", sa.DateTime(), nullable=True),
        _fk("carnet_mots", "structure_id", "structures", "CASCADE"),
        _fk("carnet_mots", "author_id", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_carnet_mots")),
    )
    op.create_index("ix_carnet_mots_structure_id", "carnet_mots", ["structure_id"])
    op.create_index("ix_carnet_mots_author_id", "carnet_mots", ["author_id"])
    op.create_table(
        "carnet_recipients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mot_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=True),
        sa.Column("class_name", sa.String(200), nullable=False),
        sa.Column("signed_at", sa.DateTime(), nullable=True),
        sa.Column("signed_by_id", sa.Integer(), nullable=True),
        sa.Column("signed_by_name", sa.String(200), nullable=True),
        sa.Column("student_read_at", sa.DateTime(), nullable=True),
        sa.Column("reminded_at", sa.DateTime(), nullable=True),
        _fk("carnet_recipients", "mot_id", "carnet_mots", "CASCADE"),
        _fk("carnet_recipients", "student_id", "users", "CASCADE"),
        _fk("carnet_recipients", "class_id", "classes", "SET NULL"),
        _fk("carnet_recipients", "signed_by_id", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_carnet_recipients")),
        sa.UniqueConstraint("mot_id", "student_id", name=op.f("uq_carnet_recipients_mot_id_student_id")),
    )
    op.create_index("ix_carnet_recipients_student_id", "carnet_recipients", ["student_id"])
    op.create_table(
        "carnet_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mot_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("author_name", sa.String(200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _fk("carnet_replies", "mot_id", "carnet_mots", "CASCADE"),
        _fk("carnet_replies", "student_id", "users", "CASCADE"),
        _fk("carnet_replies", "author_id", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_carnet_replies")),
    )
    op.create_index("ix_carnet_replies_author_id", "carnet_replies", ["author_id"])
    op.create_index("ix_carnet_replies_mot_student", "carnet_replies", ["mot_id", "student_id"])
    op.create_table(
        "carnet_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mot_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("count", sa.Integer(), nullable=False),
        _fk("carnet_reminders", "mot_id", "carnet_mots", "CASCADE"),
        _fk("carnet_reminders", "by_id", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_carnet_reminders")),
    )
    op.create_index("ix_carnet_reminders_mot_id", "carnet_reminders", ["mot_id"])


def downgrade() -> None:
    op.drop_table("carnet_reminders")
    op.drop_table("carnet_replies")
    op.drop_table("carnet_recipients")
    op.drop_table("carnet_mots")
