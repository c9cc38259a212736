"""A link to the published source of each indicator figure

Revision ID: b7d35e90a1c4
Revises: 8a41c3e07b52
Create Date: 2026-11-28 13:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b7d35e90a1c4'
down_revision = '8a41c3e07b52'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('indicator_values', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('source_url', sa.String(length=500), server_default='', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('indicator_values', schema=None) as batch_op:
        batch_op.drop_column('source_url')
