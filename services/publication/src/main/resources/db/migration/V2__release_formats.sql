-- Releases can be written in several formats; every release before this column existed was LLaVA only.
alter table releases add column formats varchar(200) not null default 'llava';
