-- Self-instruct: the response cache (a re-run or a crash never pays twice for the same request) and the
-- rejection records of replies that could not be turned into a sample (the raw reply is kept).

create table model_responses (
    cache_key          varchar(64)  primary key,
    step               varchar(40)  not null,
    model              varchar(200) not null,
    request_hash       varchar(64)  not null,
    params             text         not null,
    content            text         not null,
    finish_reason      varchar(40),
    prompt_tokens      bigint       not null,
    completion_tokens  bigint       not null,
    cost_usd           double precision not null,
    latency_ms         bigint       not null,
    created_at         timestamp with time zone not null
);

create table generation_rejections (
    rejection_id    varchar(32)  primary key,
    image_id        varchar(64)  not null,
    recipe_id       varchar(100) not null,
    step            varchar(40)  not null,
    model           varchar(200),
    prompt_hash     varchar(64),
    reason          text         not null,
    raw_reply       text,
    created_at      timestamp with time zone not null
);
create index generation_rejections_step on generation_rejections (step, created_at);
create index generation_rejections_image on generation_rejections (image_id);
