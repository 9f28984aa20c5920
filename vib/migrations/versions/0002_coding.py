"""coding: code schemes, moments, scheme choice

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 20:21:24.602971
"""
from alembic import op
import sqlalchemy as sa
import vib.core.db


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('code_schemes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scheme_id', sa.String(length=63), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.Column('origin', sa.String(length=20), nullable=False),
    sa.Column('added_at', vib.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_code_schemes')),
    sa.UniqueConstraint('scheme_id', 'version', name=op.f('uq_code_schemes_scheme_id'))
    )
    op.create_table('moments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('clip_id', sa.Integer(), nullable=False),
    sa.Column('start_ms', sa.Integer(), nullable=False),
    sa.Column('end_ms', sa.Integer(), nullable=True),
    sa.Column('scheme_id', sa.String(length=63), nullable=False),
    sa.Column('scheme_version', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=80), nullable=False),
    sa.Column('actor', sa.String(length=10), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('created_at', vib.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', vib.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_moments_author_id_users')),
    sa.ForeignKeyConstraint(['clip_id'], ['clips.id'], name=op.f('fk_moments_clip_id_clips'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moments'))
    )
    with op.batch_alter_table('moments', schema=None) as batch_op:
        batch_op.create_index('ix_moments_clip_start', ['clip_id', 'start_ms'], unique=False)

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scheme_id', sa.String(length=63), nullable=True))

    with op.batch_alter_table('clips', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scheme_id', sa.String(length=63), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('clips', schema=None) as batch_op:
        batch_op.drop_column('scheme_id')

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('scheme_id')

    with op.batch_alter_table('moments', schema=None) as batch_op:
        batch_op.drop_index('ix_moments_clip_start')

    op.drop_table('moments')
    op.drop_table('code_schemes')
