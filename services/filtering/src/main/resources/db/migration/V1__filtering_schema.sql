-- The filtering service's own schema: one verdict per sample with its reason, and the fingerprints
-- that make exact-duplicate detection hold across replicas (the unique key is the test).

create table verdicts (
    sample_id      varchar(32)  primary key,
    image_id       varchar(64)  not null,
    task           varchar(100) not null,
    outcome        varchar(10)  not null,            -- ACCEPTED | REJECTED
    reason         varchar(100),                     -- stable code of the first failed check
    detail         text,
    content_hash   varchar(64)  not null,
    verdicts_json  text         not null,            -- every check's verdict, as sent on the topic
    decided_at     timestamp with time zone not null
);
create index verdicts_outcome on verdicts (outcome, reason);

create table content_fingerprints (
    content_hash   varchar(64) primary key,          -- sha256 of image id + normalised conversation
    sample_id      varchar(32) not null,
    first_seen_at  timestamp with time zone not null
);
