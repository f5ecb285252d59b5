"""cantine initial: the menus table

Revision ID: cantine_0001
Revises:
Create Date: 2026-12-07 17:30:00

Generated with ``preau db revision cantine -m "cantine initial"``, then renamed: revision ids carry the app id
so that they never collide with the kernel's or another plugin's. Préau records them in
``alembic_version_cantine``.
"""
import sqlalchemy as sa
from alembic import op

revision = "cantine_0001"
down_revision = None
branch_labels = ("cantine",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cantine_menus",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("structure_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("starter", sa.String(length=120), nullable=False),
        sa.Column("main", sa.String(length=120), nullable=False),
        sa.Column("dessert", sa.String(length=120), nullable=False),
        sa.Column("allergens", sa.String(length=200), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["structure_id"], ["structures.id"],
                                name=op.f("fk_cantine_menus_structure_id_structures"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"],
                                name=op.f("fk_cantine_menus_updated_by_id_users"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cantine_menus")),
        sa.UniqueConstraint("structure_id", "day", name=op.f("uq_cantine_menus_structure_id_day")),
    )


def downgrade() -> None:
    op.drop_table("cantine_menus")
