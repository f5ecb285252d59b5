"""actualites comment authors: what a reader who may not reach a comment's author sees of it (per thread)

Revision ID: actualites0002
Revises: actualites0001
Create Date: 2026-11-25 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "actualites0002"
down_revision = "actualites0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing threads get the safe default: comments by authors a reader may not reach are hidden from them.
    with op.batch_alter_table("actualites_threads") as batch:
        batch.add_column(sa.Column("comment_authors", sa.String(length=16), nullable=False,
                                   server_default="hidden"))


def downgrade() -> None:
    with op.batch_alter_table("actualites_threads") as batch:
        batch.drop_column("comment_authors")
