-- The pool the optional ROUGE-L novelty filter compares instructions against: the instructions of every
-- accepted sample, by scope (image id, or '*'). A batch takes a transaction-level advisory lock on each
-- scope it checks, so replicas check and add to one scope one after the other.

create table novelty_pool (
    scope          varchar(64)  not null,
    sample_id      varchar(32)  not null,
    instructions   text         not null,
    added_at       timestamp with time zone not null,
    primary key (scope, sample_id)
);
create index novelty_pool_recent on novelty_pool (scope, added_at desc);
