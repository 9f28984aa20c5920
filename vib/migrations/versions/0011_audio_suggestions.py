"""audio suggestions: what the sound of a clip suggests

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 17:15:21
"""
from alembic import op
import sqlalchemy as sa
import vib.core.db


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audio_analyses',
    sa.Column('clip_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('envelope', sa.LargeBinary(), nullable=False),
    sa.Column('voice_count', sa.Integer(), nullable=False),
    sa.Column('voices', sa.JSON(), nullable=False),
    sa.Column('overlaps', sa.JSON(), nullable=False),
    sa.Column('analysed_at', vib.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('done', 'no_audio', 'failed')", name=op.f('ck_audio_analyses_status')),
    sa.ForeignKeyConstraint(['clip_id'], ['clips.id'], name=op.f('fk_audio_analyses_clip_id_clips'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('clip_id', name=op.f('pk_audio_analyses'))
    )
    op.create_table('suggestions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('clip_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('start_ms', sa.Integer(), nullable=False),
    sa.Column('end_ms', sa.Integer(), nullable=False),
    sa.Column('voice', sa.String(length=1), nullable=True),
    sa.Column('confidence', sa.Double(), nullable=False),
    sa.CheckConstraint("kind IN ('speech', 'pause', 'turn')", name=op.f('ck_suggestions_kind')),
    sa.ForeignKeyConstraint(['clip_id'], ['clips.id'], name=op.f('fk_suggestions_clip_id_clips'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_suggestions'))
    )
    with op.batch_alter_table('suggestions', schema=None) as batch_op:
        batch_op.create_index('ix_suggestions_clip_start', ['clip_id', 'start_ms'], unique=False)

    op.create_table('suggestion_decisions',
    sa.Column('suggestion_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('moment_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', vib.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("state IN ('accepted', 'dismissed')", name=op.f('ck_suggestion_decisions_state')),
    sa.ForeignKeyConstraint(['moment_id'], ['moments.id'], name=op.f('fk_suggestion_decisions_moment_id_moments'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['suggestion_id'], ['suggestions.id'], name=op.f('fk_suggestion_decisions_suggestion_id_suggestions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_suggestion_decisions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('suggestion_id', 'user_id', name=op.f('pk_suggestion_decisions'))
    )


def downgrade() -> None:
    op.drop_table('suggestion_decisions')
    with op.batch_alter_table('suggestions', schema=None) as batch_op:
        batch_op.drop_index('ix_suggestions_clip_start')

    op.drop_table('suggestions')
    op.drop_table('audio_analyses')
