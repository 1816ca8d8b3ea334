-- The near-duplicate picture index (perceptual hash, NearImageFilter). One row per indexed image with its
-- 64-bit dHash, and one row per band of it: an image within max-distance bits of another agrees with it on
-- at least one whole band (pigeonhole, max-distance < bands), so the images sharing a band value are the
-- only candidates to compare bit by bit. Unlike the MinHash index, many images share a band value without
-- being near-duplicates, so the band rows are not exclusive; the claim that serialises two replicas is a
-- row per band key in image_hash_buckets, taken with insert ... on conflict do update (a row lock) for a
-- whole poll at once, in key order, before any image of the poll is looked up.

create table image_hashes (
    image_id       varchar(64)  primary key,
    hash           bigint       not null,            -- the dHash's 64 bits as a signed bigint
    sample_id      varchar(32)  not null,            -- the sample whose acceptance indexed the image
    first_seen_at  timestamp with time zone not null
);

create table image_hash_bands (
    bands          smallint     not null,            -- the band layout (number of bands): a new layout is a new index
    band           smallint     not null,
    bucket         bigint       not null,            -- the band's bits as an unsigned number
    image_id       varchar(64)  not null,
    primary key (bands, band, bucket, image_id)
);
create index image_hash_bands_image on image_hash_bands (image_id);

create table image_hash_buckets (
    bands          smallint     not null,
    band           smallint     not null,
    bucket         bigint       not null,
    primary key (bands, band, bucket)
);
