-- Balance and evidence. Quotas: how many samples have been accepted per task and per source data set,
-- one row per key, so that every replica counts against the same number (the row lock is the test).
-- Verdicts gain what the lineage and funnel endpoints answer from: the chain version that decided the
-- sample (a filtering run), the recipe, the source data set and the sample's full lineage.

create table quota_counts (
    dimension      varchar(16)  not null,            -- task | source
    quota_key      varchar(200) not null,
    accepted       bigint       not null,
    primary key (dimension, quota_key)
);

alter table verdicts add column chain_version  varchar(32);
alter table verdicts add column recipe         varchar(200);
alter table verdicts add column source_dataset varchar(100);
alter table verdicts add column lineage_json   text;
create index verdicts_chain_version on verdicts (chain_version, decided_at);
