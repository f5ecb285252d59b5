"""gar initial: resource assignments of the responsables d'affectation

Revision ID: gar0001
Revises:
Create Date: 2026-11-23 18:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "gar0001"
down_revision = None
branch_labels = ("gar",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "gar_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("structure_id", sa.Integer(), nullable=False),
        sa.Column("resource_id", sa.String(length=200), nullable=False),
        sa.Column("target", sa.String(length=16), nullable=False),
        sa.Column("profile", sa.String(length=16), nullable=True),
        sa.Column("class_id", sa.Integer(), nullable=True),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("assigned_by", sa.Integer(), nullable=True),
        sa.Column("assigned_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["structure_id"], ["structures.id"],
                                name=op.f("fk_gar_assignments_structure_id_structures"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["class_id"], ["classes.id"], name=op.f("fk_gar_assignments_class_id_classes"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["group_id"], ["groups.id"], name=op.f("fk_gar_assignments_group_id_groups"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["assigned_by"], ["users.id"], name=op.f("fk_gar_assignments_assigned_by_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gar_assignments")),
    )
    op.create_index("ix_gar_assignments_structure_resource", "gar_assignments", ["structure_id", "resource_id"],
                    unique=False)


def downgrade() -> None:
    op.drop_index("ix_gar_assignments_structure_resource", table_name="gar_assignments")
    op.drop_table("gar_assignments")
