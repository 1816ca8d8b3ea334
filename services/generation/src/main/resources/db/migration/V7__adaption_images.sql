-- Annotation adaption keeps the latest normalised record of every image it has seen, so that stored
-- images can be regenerated under a new recipe without re-ingesting them.
create table adaption_images (
    image_id        varchar(64)  primary key,
    event           text         not null,
    updated_at      timestamp with time zone not null
);

-- Template ids name the item a sample is about (question id, category pair, region id).
alter table generated_samples alter column template_id type varchar(300);
