"""library: fragments, collections, moments coded on a fragment

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 05:55:24.354749
"""
from alembic import op
import sqlalchemy as sa
import vib.core.db


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('collections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', vib.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_collections_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_collections'))
    )
    op.create_table('fragments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('clip_id', sa.Integer(), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('proposed_by_id', sa.Integer(), nullable=False),
    sa.Column('start_ms', sa.Integer(), nullable=False),
    sa.Column('end_ms', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('learning_points', sa.Text(), nullable=False),
    sa.Column('scheme_id', sa.String(length=63), nullable=False),
    sa.Column('scheme_version', sa.Integer(), nullable=False),
    sa.Column('codes', sa.JSON(), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('error', sa.String(length=40), nullable=True),
    sa.Column('duration_ms', sa.Integer(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('frame_count', sa.Integer(), nullable=False),
    sa.Column('tracks', sa.JSON(), nullable=False),
    sa.Column('blur_tracks', sa.JSON(), nullable=False),
    sa.Column('regions', sa.JSON(), nullable=False),
    sa.Column('audio', sa.String(length=10), nullable=False),
    sa.Column('published_at', vib.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('reference_by_id', sa.Integer(), nullable=True),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('created_at', vib.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', vib.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_fragments_case_id_cases')),
    sa.ForeignKeyConstraint(['clip_id'], ['clips.id'], name=op.f('fk_fragments_clip_id_clips'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['users.id'], name=op.f('fk_fragments_proposed_by_id_users')),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_fragments_published_by_id_users')),
    sa.ForeignKeyConstraint(['reference_by_id'], ['users.id'], name=op.f('fk_fragments_reference_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fragments')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('fragments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fragments_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fragments_clip_id'), ['clip_id'], unique=False)
        batch_op.create_index('ix_fragments_state_published', ['state', 'published_at'], unique=False)

    op.create_table('collection_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('collection_id', sa.Integer(), nullable=False),
    sa.Column('fragment_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['collection_id'], ['collections.id'], name=op.f('fk_collection_items_collection_id_collections'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['fragment_id'], ['fragments.id'], name=op.f('fk_collection_items_fragment_id_fragments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_collection_items'))
    )
    with op.batch_alter_table('collection_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_collection_items_collection_id'), ['collection_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_collection_items_fragment_id'), ['fragment_id'], unique=False)

    with op.batch_alter_table('moments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fragment_id', sa.Integer(), nullable=True))
        batch_op.alter_column('clip_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.create_index('ix_moments_fragment_author', ['fragment_id', 'author_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_moments_fragment_id_fragments'), 'fragments', ['fragment_id'], ['id'], ondelete='CASCADE')
        # A moment is coded on a clip or on a fragment, never both, never neither.
        batch_op.create_check_constraint('one_video', '(clip_id IS NULL) <> (fragment_id IS NULL)')



def downgrade() -> None:
    op.execute("DELETE FROM moments WHERE clip_id IS NULL")  # exercise codings have nowhere to go
    with op.batch_alter_table('moments', schema=None) as batch_op:
        batch_op.drop_constraint('one_video', type_='check')
        batch_op.drop_constraint(batch_op.f('fk_moments_fragment_id_fragments'), type_='foreignkey')
        batch_op.drop_index('ix_moments_fragment_author')
        batch_op.alter_column('clip_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('fragment_id')

    with op.batch_alter_table('collection_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_collection_items_fragment_id'))
        batch_op.drop_index(batch_op.f('ix_collection_items_collection_id'))

    op.drop_table('collection_items')
    with op.batch_alter_table('fragments', schema=None) as batch_op:
        batch_op.drop_index('ix_fragments_state_published')
        batch_op.drop_index(batch_op.f('ix_fragments_clip_id'))
        batch_op.drop_index(batch_op.f('ix_fragments_case_id'))

    op.drop_table('fragments')
    op.drop_table('collections')
