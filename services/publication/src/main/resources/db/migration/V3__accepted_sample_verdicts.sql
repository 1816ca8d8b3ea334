-- The filter verdicts an accepted sample arrived with (JSON array of {filter, version, score, threshold,
-- outcome, reason, detail}), so that a release's dataset card can show the quality-score distributions.
-- Samples accepted before this column existed have none.
alter table accepted_samples add column verdicts_json text;
