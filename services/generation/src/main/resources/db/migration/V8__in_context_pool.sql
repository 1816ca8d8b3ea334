-- The in-context variant (recipe llava-instruct-in-context): its few-shot examples are samples that
-- filtering has already accepted. sample_contexts keeps the symbolic context a self-instruct sample was
-- written from (an accepted sample carries its captions and object counts, not its boxes), so that an
-- example shows the model the same kind of context the new image gets. example_pool holds the accepted
-- samples, one row per sample id (a redelivered record changes nothing); rank_key is a hash of the
-- sample id, and an image's examples are the next k of its response type after a seed drawn from its id,
-- read through the (task, rank_key) index.

create table sample_contexts (
    sample_id   varchar(32)  primary key,
    image_id    varchar(64)  not null,
    context     text         not null,
    created_at  timestamp with time zone not null
);

create table example_pool (
    sample_id    varchar(32)  primary key,
    image_id     varchar(64)  not null,
    task         varchar(100) not null,
    recipe_id    varchar(100) not null,
    rank_key     bigint       not null,
    context      text         not null,
    reply        text         not null,
    accepted_at  timestamp with time zone not null
);
create index example_pool_pick on example_pool (task, rank_key);
