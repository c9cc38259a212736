"""users.login_generation: a logout ends the sessions issued before it

Revision ID: 5d2f0c9a41e7
Revises: c8eb44f7f293
Create Date: 2026-11-28 03:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d2f0c9a41e7'
down_revision = 'c8eb44f7f293'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('login_generation', sa.Integer(), server_default='1', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('login_generation')
