"""An index for the events still running (home page, lists of what is on)

Revision ID: 3e6b1f0d27a9
Revises: b7d35e90a1c4
Create Date: 2026-11-29 03:00:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '3e6b1f0d27a9'
down_revision = 'b7d35e90a1c4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index('ix_events_status_ends_at', ['status', 'ends_at'], unique=False)


def downgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_status_ends_at')
