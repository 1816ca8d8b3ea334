-- The ingestion service's own schema: images, where they came from, their annotations, and every
-- import run with the items it refused.

create table images (
    image_id      varchar(64) primary key,          -- sha256 of the bytes
    object_key    varchar(200) not null,
    format        varchar(16)  not null,
    width         integer      not null,
    height        integer      not null,
    byte_size     bigint       not null,
    licence_name  varchar(300),
    licence_url   varchar(500),
    created_at    timestamp with time zone not null
);

create table image_sources (
    dataset     varchar(100) not null,
    source_id   varchar(100) not null,                -- the image's id in that data set
    split       varchar(100) not null,
    file_name   varchar(500) not null,
    image_id    varchar(64)  not null references images (image_id),
    run_id      varchar(36)  not null,
    primary key (dataset, source_id)
);
create index image_sources_image on image_sources (image_id);

create table captions (
    id                    bigserial primary key,
    image_id              varchar(64)  not null references images (image_id),
    dataset               varchar(100) not null,
    source_annotation_id  varchar(100) not null,
    text                  text         not null,
    unique (dataset, source_annotation_id)
);
create index captions_image on captions (image_id);

create table boxes (
    id                    bigserial primary key,
    image_id              varchar(64)  not null references images (image_id),
    dataset               varchar(100) not null,
    source_annotation_id  varchar(100) not null,
    category              varchar(200) not null,
    x                     double precision not null,
    y                     double precision not null,
    width                 double precision not null,
    height                double precision not null,
    unique (dataset, source_annotation_id)
);
create index boxes_image on boxes (image_id);

create table ingest_runs (
    run_id                  varchar(36)  primary key,
    dataset                 varchar(100) not null,
    annotations_dir         varchar(1000) not null,
    images_dir              varchar(1000) not null,
    status                  varchar(20)  not null,
    images_seen             integer      not null,
    images_new              integer      not null,
    images_already_present  integer      not null,
    images_rejected         integer      not null,
    annotations_rejected    integer      not null,
    started_at              timestamp with time zone not null,
    finished_at             timestamp with time zone
);

create table ingest_rejections (
    id          bigserial primary key,
    run_id      varchar(36)  not null references ingest_runs (run_id),
    item        varchar(500) not null,                -- file name or annotation id
    reason      varchar(100) not null,                -- stable code, e.g. image.corrupt
    detail      text         not null,
    created_at  timestamp with time zone not null
);
create index ingest_rejections_run on ingest_rejections (run_id);
