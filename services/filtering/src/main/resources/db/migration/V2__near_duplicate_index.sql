-- The near-duplicate index (MinHash-LSH). One row per band of every sample that passed: the primary key
-- on (band, bucket) makes an insert that collides the candidate test, and it holds across replicas
-- because PostgreSQL makes a concurrent insert of the same key wait for the first one's transaction.
-- The signature of each indexed sample confirms a candidate by estimated Jaccard before a rejection.

create table near_duplicate_bands (
    band           integer      not null,
    bucket         bigint       not null,            -- 64-bit hash of scope, LSH settings and the band's rows
    sample_id      varchar(32)  not null,
    primary key (band, bucket)
);
create index near_duplicate_bands_sample on near_duplicate_bands (sample_id);

create table near_duplicate_signatures (
    sample_id      varchar(32)  primary key,
    scope          varchar(64)  not null,            -- image id, or '*' when near-duplicates are global
    signature      text         not null,            -- base64 of the MinHash values, 4 bytes each, big-endian
    first_seen_at  timestamp with time zone not null
);

-- The rejection listing pages through one reason in decision order.
create index verdicts_reason_decided on verdicts (reason, decided_at, sample_id);
