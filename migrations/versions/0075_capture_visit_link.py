"""capture: an observation belongs to a field visit (foreign key, SET NULL when the visit goes)

Revision ID: 0075_capture_visit_link
Revises: 0070_capture
Create Date: 2026-11-28 10:45:00

"""
from alembic import op


revision = "0075_capture_visit_link"
down_revision = "0070_capture"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("capture_entries", schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f("fk_capture_entries_field_visit_id_field_visits"), "field_visits",
                                    ["field_visit_id"], ["id"], ondelete="SET NULL")


def downgrade():
    with op.batch_alter_table("capture_entries", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_capture_entries_field_visit_id_field_visits"), type_="foreignkey")
