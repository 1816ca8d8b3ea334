-- Samples the filters rejected (from samples.rejected), one row each, so that a release's dataset card can
-- show the rejection funnel of the data it was chosen from. Keyed by sample id: a redelivery changes nothing.
create table rejected_samples (
    sample_id    varchar(32)  primary key,
    task         varchar(100),
    source       varchar(100),
    filter       varchar(100) not null,
    reason       varchar(200),
    rejected_at  timestamp with time zone not null
);
create index rejected_samples_filter on rejected_samples (filter, reason);
