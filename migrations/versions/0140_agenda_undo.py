"""agenda undo: a removed agenda item is kept for a short while (its copy as JSON) so that the
organiser can undo the removal.

Revision ID: 0140_agenda_undo
Revises: 0090_library
Create Date: 2026-11-28 12:20:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0140_agenda_undo'
down_revision = "0090_library"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('agenda_removed_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('snapshot', sa.Text(), nullable=False),
    sa.Column('change_id', sa.Integer(), nullable=True),
    sa.Column('message_ids', sa.Text(), nullable=False),
    sa.Column('removed_by_id', sa.Integer(), nullable=True),
    sa.Column('removed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('restored_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['change_id'], ['agenda_changes.id'], name=op.f('fk_agenda_removed_items_change_id_agenda_changes'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_agenda_removed_items_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['removed_by_id'], ['users.id'], name=op.f('fk_agenda_removed_items_removed_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_removed_items'))
    )
    with op.batch_alter_table('agenda_removed_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agenda_removed_items_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agenda_removed_items_removed_at'), ['removed_at'], unique=False)


def downgrade():
    with op.batch_alter_table('agenda_removed_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agenda_removed_items_removed_at'))
        batch_op.drop_index(batch_op.f('ix_agenda_removed_items_event_id'))
    op.drop_table('agenda_removed_items')
