"""messaging initial: messages, recipients, deliveries, folders, attachments, preferences, full-text search

Revision ID: m0001
Revises:
Create Date: 2026-11-23 12:20:00

Full-text search per dialect: SQLite gets an FTS5 table over (subject, body_text, sender_name) kept in sync by
triggers; PostgreSQL gets a generated ``search_vector`` tsvector column with a GIN index.
"""
import sqlalchemy as sa
from alembic import op

revision = "m0001"
down_revision = None
branch_labels = ("messaging",)
depends_on = None

SQLITE_FTS = [
    "CREATE VIRTUAL TABLE messaging_messages_fts USING fts5(subject, body_text, sender_name, "
    "content='messaging_messages', content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER messaging_messages_fts_ai AFTER INSERT ON messaging_messages BEGIN "
    "INSERT INTO messaging_messages_fts(rowid, subject, body_text, sender_name) "
    "VALUES (new.id, new.subject, new.body_text, new.sender_name); END",
    "CREATE TRIGGER messaging_messages_fts_ad AFTER DELETE ON messaging_messages BEGIN "
    "INSERT INTO messaging_messages_fts(messaging_messages_fts, rowid, subject, body_text, sender_name) "
    "VALUES ('delete', old.id, old.subject, old.body_text, old.sender_name); END",
    "CREATE TRIGGER messaging_messages_fts_au AFTER UPDATE OF subject, body_text, sender_name "
    "ON messaging_messages BEGIN "
    "INSERT INTO messaging_messages_fts(messaging_messages_fts, rowid, subject, body_text, sender_name) "
    "VALUES ('delete', old.id, old.subject, old.body_text, old.sender_name); "
    "INSERT INTO messaging_messages_fts(rowid, subject, body_text, sender_name) "
    "VALUES (new.id, new.subject, new.body_text, new.sender_name); END",
]
# PostgreSQL folds accents like FTS5's remove_diacritics: translate() is immutable (a generated column needs
# that) and needs no extension. Keep in step with services/search.py's ``fold_accents``.
ACCENTED = "àâäáãåçéèêëíìîïñóòôöõúùûüýÿÀÂÄÁÃÅÇÉÈÊËÍÌÎÏÑÓÒÔÖÕÚÙÛÜÝŸ"
PLAIN = "aaaaaaceeeeiiiinooooouuuuyyAAAAAACEEEEIIIINOOOOOUUUUYY"


def _folded(column: str) -> str:
    return f"translate(coalesce({column}, ''), '{ACCENTED}', '{PLAIN}')"


POSTGRES_FTS = [
    "ALTER TABLE messaging_messages ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    f"setweight(to_tsvector('simple', {_folded('subject')}), 'A') || "
    f"setweight(to_tsvector('simple', {_folded('sender_name')}), 'B') || "
    f"setweight(to_tsvector('simple', {_folded('body_text')}), 'C')) STORED",
    "CREATE INDEX ix_messaging_messages_search ON messaging_messages USING gin (search_vector)",
]


def upgrade() -> None:
    op.create_table(
        "messaging_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.Integer(), nullable=True),
        sa.Column("sender_name", sa.String(length=200), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=True),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["parent_id"], ["messaging_messages.id"],
                                name=op.f("fk_messaging_messages_parent_id_messaging_messages"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["sender_id"], ["users.id"], name=op.f("fk_messaging_messages_sender_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messaging_messages")),
    )
    op.create_index("ix_messaging_messages_thread", "messaging_messages", ["thread_id", "id"], unique=False)
    op.create_index(op.f("ix_messaging_messages_sender_id"), "messaging_messages", ["sender_id"], unique=False)

    op.create_table(
        "messaging_folders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["messaging_folders.id"],
                                name=op.f("fk_messaging_folders_parent_id_messaging_folders"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_messaging_folders_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messaging_folders")),
    )
    op.create_index(op.f("ix_messaging_folders_user_id"), "messaging_folders", ["user_id"], unique=False)
    op.create_index(op.f("ix_messaging_folders_parent_id"), "messaging_folders", ["parent_id"], unique=False)

    op.create_table(
        "messaging_recipients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=3), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["groups.id"], name=op.f("fk_messaging_recipients_group_id_groups"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["message_id"], ["messaging_messages.id"],
                                name=op.f("fk_messaging_recipients_message_id_messaging_messages"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_messaging_recipients_user_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messaging_recipients")),
    )
    op.create_index(op.f("ix_messaging_recipients_message_id"), "messaging_recipients", ["message_id"],
                    unique=False)

    op.create_table(
        "messaging_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("box", sa.String(length=8), nullable=False),
        sa.Column("folder_id", sa.Integer(), nullable=True),
        sa.Column("delivered_at", sa.DateTime(), nullable=False),
        sa.Column("read_at", sa.DateTime(), nullable=True),
        sa.Column("trashed_at", sa.DateTime(), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("via_group_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["folder_id"], ["messaging_folders.id"],
                                name=op.f("fk_messaging_deliveries_folder_id_messaging_folders"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["message_id"], ["messaging_messages.id"],
                                name=op.f("fk_messaging_deliveries_message_id_messaging_messages"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_messaging_deliveries_user_id_users"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["via_group_id"], ["groups.id"],
                                name=op.f("fk_messaging_deliveries_via_group_id_groups"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messaging_deliveries")),
    )
    op.create_index("ix_messaging_deliveries_box", "messaging_deliveries",
                    ["user_id", "box", "delivered_at", "id"], unique=False)
    op.create_index("ix_messaging_deliveries_folder", "messaging_deliveries", ["folder_id", "delivered_at", "id"],
                    unique=False)
    op.create_index("ix_messaging_deliveries_message", "messaging_deliveries", ["message_id", "user_id"],
                    unique=True)
    op.create_index("ix_messaging_deliveries_unread", "messaging_deliveries", ["user_id", "read_at"], unique=False)

    op.create_table(
        "messaging_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("mime", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("storage_key", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["message_id"], ["messaging_messages.id"],
                                name=op.f("fk_messaging_attachments_message_id_messaging_messages"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messaging_attachments")),
    )
    op.create_index(op.f("ix_messaging_attachments_message_id"), "messaging_attachments", ["message_id"],
                    unique=False)

    op.create_table(
        "messaging_preferences",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("signature", sa.Text(), nullable=False),
        sa.Column("notify_by_email", sa.Boolean(), nullable=False),
        sa.Column("copy_to_personal_email", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_messaging_preferences_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_messaging_preferences")),
    )

    statements = SQLITE_FTS if op.get_bind().dialect.name == "sqlite" else POSTGRES_FTS
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("messaging_messages_fts_ai", "messaging_messages_fts_ad", "messaging_messages_fts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS messaging_messages_fts")
    for table in ("messaging_preferences", "messaging_attachments", "messaging_deliveries", "messaging_recipients",
                  "messaging_folders", "messaging_messages"):
        op.drop_table(table)
