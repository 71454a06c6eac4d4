"""library: cities get a slug (their address, /cities/<slug>), and the library's index of what the
stages publish, with its full-text part: an FTS5 virtual table on SQLite (accents folded by its
tokenizer, kept in step with the documents by a trigger), a tsvector table with a GIN index on
PostgreSQL, one per language (its rows deleted with their documents by a cascading key).

Revision ID: 0090_library
Revises: 0080_learning_note
Create Date: 2026-11-28 12:00:00.000000

"""
import re
import unicodedata

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0090_library'
down_revision = "0080_learning_note"
branch_labels = None
depends_on = None


def _slug(name: str) -> str:
    # The same rule as app.events.models.city_slug, written out: migrations never import the app.
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:120] or "city"


def upgrade():
    # Added in place (no copy of the table, which SQLite would make for a batch operation and which
    # would trip the keys that point to cities): NOT NULL with a default until every row has its slug.
    op.add_column('cities', sa.Column('slug', sa.String(length=120), nullable=False, server_default=''))
    cities = sa.table('cities', sa.column('id', sa.Integer), sa.column('name_en', sa.String),
                      sa.column('slug', sa.String))
    connection = op.get_bind()
    taken = set()
    for city_id, name in connection.execute(sa.select(cities.c.id, cities.c.name_en).order_by(cities.c.id)).all():
        base = slug = _slug(name)
        number = 2
        while slug in taken:
            slug = f"{base}-{number}"
            number += 1
        taken.add(slug)
        connection.execute(cities.update().where(cities.c.id == city_id).values(slug=slug))
    if connection.dialect.name == 'postgresql':
        op.alter_column('cities', 'slug', existing_type=sa.String(length=120), server_default=None)
    op.create_index(op.f('ix_cities_slug'), 'cities', ['slug'], unique=True)

    op.create_table('library_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('title_en', sa.String(length=500), nullable=False),
    sa.Column('title_fr', sa.String(length=500), nullable=False),
    sa.Column('text_en', sa.Text(), nullable=False),
    sa.Column('text_fr', sa.Text(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('endpoint', sa.String(length=80), nullable=False),
    sa.Column('params', sa.Text(), nullable=False),
    sa.Column('anchor', sa.String(length=80), nullable=False),
    sa.Column('details', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_library_documents_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_library_documents')),
    sa.UniqueConstraint('kind', 'key', name='uq_library_documents_kind_key')
    )
    with op.batch_alter_table('library_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_library_documents_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_library_documents_published_at'), ['published_at'], unique=False)

    op.create_table('library_facets',
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('facet', sa.String(length=20), nullable=False),
    sa.Column('value', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['library_documents.id'], name=op.f('fk_library_facets_document_id_library_documents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('document_id', 'facet', 'value', name=op.f('pk_library_facets'))
    )
    with op.batch_alter_table('library_facets', schema=None) as batch_op:
        batch_op.create_index('ix_library_facets_facet_value', ['facet', 'value'], unique=False)

    op.create_table('library_index_state',
    sa.Column('scope', sa.String(length=80), nullable=False),
    sa.Column('stamp', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('scope', name=op.f('pk_library_index_state'))
    )

    if connection.dialect.name == 'postgresql':
        # Each language's side with its own configuration: English words with 'english', French
        # words with 'french' (app/library/search.py).
        op.execute("CREATE TABLE library_fts ("
                   "document_id integer PRIMARY KEY REFERENCES library_documents (id) ON DELETE CASCADE, "
                   "vector_en tsvector NOT NULL, vector_fr tsvector NOT NULL)")
        op.execute("CREATE INDEX ix_library_fts_vector_en ON library_fts USING gin (vector_en)")
        op.execute("CREATE INDEX ix_library_fts_vector_fr ON library_fts USING gin (vector_fr)")
    else:
        # rowid = library_documents.id; each language's title and text hold its words already folded
        # and stemmed (app/library/text.py); the tokenizer folds accents again, for safety.
        op.execute("CREATE VIRTUAL TABLE library_fts USING fts5(title_en, body_en, title_fr, body_fr, "
                   "tokenize = 'unicode61 remove_diacritics 2')")
        op.execute("CREATE TRIGGER library_documents_fts_delete AFTER DELETE ON library_documents "
                   "BEGIN DELETE FROM library_fts WHERE rowid = old.id; END")


def downgrade():
    connection = op.get_bind()
    if connection.dialect.name == 'postgresql':
        op.execute("DROP TABLE IF EXISTS library_fts")
    else:
        op.execute("DROP TRIGGER IF EXISTS library_documents_fts_delete")
        op.execute("DROP TABLE IF EXISTS library_fts")
    op.drop_table('library_index_state')
    with op.batch_alter_table('library_facets', schema=None) as batch_op:
        batch_op.drop_index('ix_library_facets_facet_value')
    op.drop_table('library_facets')
    with op.batch_alter_table('library_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_library_documents_published_at'))
        batch_op.drop_index(batch_op.f('ix_library_documents_event_id'))
    op.drop_table('library_documents')
    op.drop_index(op.f('ix_cities_slug'), table_name='cities')
    if connection.dialect.name == 'postgresql':
        op.drop_column('cities', 'slug')
    else:
        op.execute("ALTER TABLE cities DROP COLUMN slug")  # in place (SQLite 3.35+), as it was added
