-- Every annotation source in one image model: which format a source reference came from (and the COCO
-- image a Visual Genome image names), boxes with object ids, attributes and their source convention,
-- one table for the other annotation kinds (regions, relations, QA pairs, referring expressions,
-- grounded phrases, imported conversations), and the merge counts of an ingest run.

alter table images add column credit varchar(1000);
alter table images add column perceptual_hash varchar(16);

alter table image_sources add column format varchar(32) not null default 'coco';
alter table image_sources add column linked_coco_id varchar(100);
alter table image_sources add column added_at timestamp with time zone not null default now();
create index image_sources_format_source on image_sources (format, source_id);

alter table boxes add column object_id varchar(200);
alter table boxes add column attributes text;                 -- JSON array of attribute words
alter table boxes add column source_convention varchar(32);

create table annotations (
    id                    bigserial primary key,
    image_id              varchar(64)  not null references images (image_id),
    dataset               varchar(100) not null,
    kind                  varchar(32)  not null,        -- region, relation, question, referring_expression, phrase, conversation
    source_annotation_id  varchar(300) not null,
    caption_ref           varchar(300),                 -- a phrase's caption (source_annotation_id in captions)
    payload               text         not null,        -- the event record as JSON, boxes in pixels
    unique (dataset, kind, source_annotation_id)
);
create index annotations_image on annotations (image_id);

alter table ingest_runs add column format varchar(32) not null default 'coco';
alter table ingest_runs add column images_merged integer not null default 0;
alter table ingest_runs add column images_restored integer not null default 0;
alter table ingest_runs add column boxes_clipped integer not null default 0;
alter table ingest_runs add column annotations_count integer not null default 0;
