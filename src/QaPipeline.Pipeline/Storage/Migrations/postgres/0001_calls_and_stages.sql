-- Calls, their pipeline stages, and what each stage produced. The product tables are the source of
-- truth: the job queue (Hangfire.InMemory on SQLite) is rebuilt from them on every start.
CREATE TABLE calls (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    content_hash     TEXT    NOT NULL UNIQUE,          -- SHA-256 of the original bytes, lower-case hex
    store_path       TEXT    NOT NULL,                 -- relative to the recording store root
    original_name    TEXT    NOT NULL,
    size_bytes       BIGINT NOT NULL,
    external_call_id TEXT    NULL,                     -- the telephony platform's call id
    agent_id         TEXT    NULL,
    team             TEXT    NULL,
    queue            TEXT    NULL,
    direction        TEXT    NULL CHECK (direction IN ('inbound', 'outbound')),
    started_at       TIMESTAMPTZ    NULL,
    customer_number  TEXT    NULL,
    status           TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'processing', 'scored', 'failed')),
    failure_reason   TEXT    NULL,
    queued_at        TIMESTAMPTZ NULL,                     -- when a worker queue took the call; NULL = waiting to be enqueued
    ingested_at      TIMESTAMPTZ    NOT NULL
);
CREATE INDEX ix_calls_status ON calls (status, queued_at);
CREATE INDEX ix_calls_agent_started ON calls (agent_id, started_at);
CREATE INDEX ix_calls_external ON calls (external_call_id);

CREATE TABLE call_stages (
    call_id     BIGINT NOT NULL REFERENCES calls (id),
    stage       TEXT    NOT NULL CHECK (stage IN ('ingest', 'analyse', 'transcribe', 'score', 'flag')),
    state       TEXT    NOT NULL CHECK (state IN ('pending', 'running', 'succeeded', 'skipped', 'failed')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT    NULL,
    started_at  TIMESTAMPTZ    NULL,
    finished_at TIMESTAMPTZ    NULL,
    duration_ms BIGINT NULL,
    PRIMARY KEY (call_id, stage)
);

CREATE TABLE transcripts (
    call_id        BIGINT PRIMARY KEY REFERENCES calls (id),
    source         TEXT    NOT NULL CHECK (source IN ('whisper', 'imported')),
    language       TEXT    NULL,
    min_confidence DOUBLE PRECISION    NULL,
    json           TEXT    NOT NULL,
    created_at     TIMESTAMPTZ    NOT NULL
);

CREATE TABLE acoustic_facts (
    call_id    BIGINT PRIMARY KEY REFERENCES calls (id),
    duration_s DOUBLE PRECISION    NOT NULL,
    json       TEXT    NOT NULL,
    created_at TIMESTAMPTZ    NOT NULL
);

-- Every scoring is kept: a rescore adds a row and moves is_current; the old rows stay on record.
CREATE TABLE scorecards (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    call_id        BIGINT NOT NULL REFERENCES calls (id),
    rubric_id      TEXT    NOT NULL,
    rubric_version TEXT    NOT NULL,
    rubric_hash    TEXT    NOT NULL,                   -- SHA-256 of the rubric file: same rubric, same scorecard
    score          DOUBLE PRECISION    NOT NULL,
    max_score      DOUBLE PRECISION    NOT NULL,
    fatal          BOOLEAN NOT NULL,
    is_current     BOOLEAN NOT NULL,
    json           TEXT    NOT NULL,
    created_at     TIMESTAMPTZ    NOT NULL,
    UNIQUE (call_id, rubric_hash)
);
CREATE INDEX ix_scorecards_current ON scorecards (call_id, is_current);

CREATE TABLE review_flags (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    call_id      BIGINT NOT NULL REFERENCES calls (id),
    scorecard_id BIGINT NOT NULL REFERENCES scorecards (id),
    reason       TEXT    NOT NULL CHECK (reason IN ('fatal', 'review_item', 'low_score', 'low_asr_confidence', 'random_sample')),
    detail       TEXT    NULL,
    status       TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_review', 'closed')),
    created_at   TIMESTAMPTZ    NOT NULL,
    UNIQUE (scorecard_id, reason)
);
CREATE INDEX ix_review_flags_open ON review_flags (status, created_at);
