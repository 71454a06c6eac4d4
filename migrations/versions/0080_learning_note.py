"""learning note: one draft per event (written parts per language, captured parts as JSON, the
counters that refuse a save over someone else's), its published versions (frozen JSON, the dated
line of a correction) and their rendered PDF and Word files.

Revision ID: 0080_learning_note
Revises: 0075_capture_visit_link
Create Date: 2026-11-28 09:27:25.304044

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0080_learning_note'
down_revision = "0075_capture_visit_link"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('learning_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('foreword_en', sa.Text(), nullable=False),
    sa.Column('foreword_fr', sa.Text(), nullable=False),
    sa.Column('executive_summary_en', sa.Text(), nullable=False),
    sa.Column('executive_summary_fr', sa.Text(), nullable=False),
    sa.Column('key_messages_en', sa.Text(), nullable=False),
    sa.Column('key_messages_fr', sa.Text(), nullable=False),
    sa.Column('next_steps_en', sa.Text(), nullable=False),
    sa.Column('next_steps_fr', sa.Text(), nullable=False),
    sa.Column('edit_version', sa.Integer(), nullable=False),
    sa.Column('edited_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('edited_by_id', sa.Integer(), nullable=True),
    sa.Column('captured', sa.Text(), nullable=False),
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.Column('generated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('generated_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['edited_by_id'], ['users.id'], name=op.f('fk_learning_notes_edited_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_learning_notes_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['generated_by_id'], ['users.id'], name=op.f('fk_learning_notes_generated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_learning_notes')),
    sa.UniqueConstraint('event_id', name=op.f('uq_learning_notes_event_id'))
    )
    op.create_table('learning_note_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('note_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('change_en', sa.Text(), nullable=False),
    sa.Column('change_fr', sa.Text(), nullable=False),
    sa.Column('untranslated_confirmed', sa.Boolean(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_learning_note_versions_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['note_id'], ['learning_notes.id'], name=op.f('fk_learning_note_versions_note_id_learning_notes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_learning_note_versions_published_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_learning_note_versions')),
    sa.UniqueConstraint('note_id', 'number', name='uq_learning_note_versions_note_id_number')
    )
    with op.batch_alter_table('learning_note_versions', schema=None) as batch_op:
        batch_op.create_index('ix_learning_note_versions_event_number', ['event_id', 'number'], unique=False)

    op.create_table('learning_note_files',
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('lang', sa.String(length=2), nullable=False),
    sa.Column('format', sa.String(length=8), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['learning_note_versions.id'], name=op.f('fk_learning_note_files_version_id_learning_note_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('version_id', 'lang', 'format', name=op.f('pk_learning_note_files'))
    )


def downgrade():
    op.drop_table('learning_note_files')
    with op.batch_alter_table('learning_note_versions', schema=None) as batch_op:
        batch_op.drop_index('ix_learning_note_versions_event_number')

    op.drop_table('learning_note_versions')
    op.drop_table('learning_notes')
