-- The publication service's own schema: the accepted samples, kept as they arrive, and the releases
-- built from them.

create table accepted_samples (
    sample_id    varchar(32)  primary key,
    image_id     varchar(64)  not null,
    image_key    varchar(200) not null,
    task         varchar(100) not null,
    sample_json  text         not null,
    accepted_at  timestamp with time zone not null
);
create index accepted_samples_task on accepted_samples (task);

create table releases (
    name             varchar(100) not null,
    version          varchar(50)  not null,
    bucket           varchar(100) not null,
    prefix           varchar(300) not null,
    samples          bigint       not null,
    images           bigint       not null,
    manifest_sha256  varchar(64)  not null,
    published_at     timestamp with time zone not null,
    primary key (name, version)
);
