"""English titles and descriptions for events, series and campaigns; event posters

Revision ID: 8a41c3e07b52
Revises: 5d2f0c9a41e7
Create Date: 2026-11-28 12:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8a41c3e07b52'
down_revision = '5d2f0c9a41e7'
branch_labels = None
depends_on = None


def _english_columns(batch_op):
    batch_op.add_column(sa.Column('title_en', sa.String(length=200), server_default='', nullable=False))
    batch_op.add_column(sa.Column('description_en', sa.Text(), server_default='', nullable=False))


def upgrade():
    for table in ('events', 'series', 'campaigns'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            _english_columns(batch_op)
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('poster', sa.String(length=80), server_default='', nullable=False))
        batch_op.add_column(sa.Column('poster_alt', sa.String(length=300), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('poster_alt')
        batch_op.drop_column('poster')
    for table in ('campaigns', 'series', 'events'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('description_en')
            batch_op.drop_column('title_en')
