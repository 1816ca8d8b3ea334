-- The generation service's own schema: the lineage of every sample it made and the images it has
-- processed. Keys are the deterministic ids, so a redelivered image inserts nothing new.

create table generated_samples (
    sample_id       varchar(32)  primary key,
    image_id        varchar(64)  not null,
    task            varchar(100) not null,
    template_id     varchar(100) not null,
    recipe_id       varchar(100) not null,
    recipe_version  varchar(20)  not null,
    recipe_hash     varchar(64)  not null,
    seed            bigint       not null,
    created_at      timestamp with time zone not null
);
create index generated_samples_image on generated_samples (image_id);
create index generated_samples_task on generated_samples (task);

create table processed_images (
    image_id        varchar(64)  not null,
    recipe_id       varchar(100) not null,
    recipe_version  varchar(20)  not null,
    samples         integer      not null,
    ingest_run_id   varchar(100),
    processed_at    timestamp with time zone not null,
    primary key (image_id, recipe_id, recipe_version)
);
