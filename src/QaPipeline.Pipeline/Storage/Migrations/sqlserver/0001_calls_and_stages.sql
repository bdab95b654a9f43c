-- Calls, their pipeline stages, and what each stage produced. The product tables are the source of
-- truth: the job queue (Hangfire.InMemory on SQLite) is rebuilt from them on every start.
CREATE TABLE calls (
    id               BIGINT IDENTITY(1,1) PRIMARY KEY,
    content_hash     VARCHAR(64)    NOT NULL UNIQUE,          -- SHA-256 of the original bytes, lower-case hex
    store_path       NVARCHAR(400)    NOT NULL,                 -- relative to the recording store root
    original_name    NVARCHAR(400)    NOT NULL,
    size_bytes       BIGINT NOT NULL,
    external_call_id NVARCHAR(100)    NULL,                     -- the telephony platform's call id
    agent_id         NVARCHAR(100)    NULL,
    team             NVARCHAR(100)    NULL,
    queue            NVARCHAR(100)    NULL,
    direction        NVARCHAR(100)    NULL CHECK (direction IN ('inbound', 'outbound')),
    started_at       DATETIME2(3)    NULL,
    customer_number  NVARCHAR(100)    NULL,
    status           NVARCHAR(100)    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'processing', 'scored', 'failed')),
    failure_reason   NVARCHAR(MAX)    NULL,
    queued_at        DATETIME2(3) NULL,                     -- when a worker queue took the call; NULL = waiting to be enqueued
    ingested_at      DATETIME2(3)    NOT NULL
);
GO
CREATE INDEX ix_calls_status ON calls (status, queued_at);
GO
CREATE INDEX ix_calls_agent_started ON calls (agent_id, started_at);
GO
CREATE INDEX ix_calls_external ON calls (external_call_id);
GO

CREATE TABLE call_stages (
    call_id     BIGINT NOT NULL REFERENCES calls (id),
    stage       NVARCHAR(100)    NOT NULL CHECK (stage IN ('ingest', 'analyse', 'transcribe', 'score', 'flag')),
    state       NVARCHAR(100)    NOT NULL CHECK (state IN ('pending', 'running', 'succeeded', 'skipped', 'failed')),
    attempts    INT NOT NULL DEFAULT 0,
    last_error  NVARCHAR(MAX)    NULL,
    started_at  DATETIME2(3)    NULL,
    finished_at DATETIME2(3)    NULL,
    duration_ms BIGINT NULL,
    PRIMARY KEY (call_id, stage)
);
GO

CREATE TABLE transcripts (
    call_id        BIGINT PRIMARY KEY REFERENCES calls (id),
    source         NVARCHAR(100)    NOT NULL CHECK (source IN ('whisper', 'imported')),
    language       NVARCHAR(100)    NULL,
    min_confidence FLOAT    NULL,
    json           NVARCHAR(MAX)    NOT NULL,
    created_at     DATETIME2(3)    NOT NULL
);
GO

CREATE TABLE acoustic_facts (
    call_id    BIGINT PRIMARY KEY REFERENCES calls (id),
    duration_s FLOAT    NOT NULL,
    json       NVARCHAR(MAX)    NOT NULL,
    created_at DATETIME2(3)    NOT NULL
);
GO

-- Every scoring is kept: a rescore adds a row and moves is_current; the old rows stay on record.
CREATE TABLE scorecards (
    id             BIGINT IDENTITY(1,1) PRIMARY KEY,
    call_id        BIGINT NOT NULL REFERENCES calls (id),
    rubric_id      NVARCHAR(100)    NOT NULL,
    rubric_version NVARCHAR(100)    NOT NULL,
    rubric_hash    VARCHAR(64)    NOT NULL,                   -- SHA-256 of the rubric file: same rubric, same scorecard
    score          FLOAT    NOT NULL,
    max_score      FLOAT    NOT NULL,
    fatal          BIT NOT NULL,
    is_current     BIT NOT NULL,
    json           NVARCHAR(MAX)    NOT NULL,
    created_at     DATETIME2(3)    NOT NULL,
    UNIQUE (call_id, rubric_hash)
);
GO
CREATE INDEX ix_scorecards_current ON scorecards (call_id, is_current);
GO

CREATE TABLE review_flags (
    id           BIGINT IDENTITY(1,1) PRIMARY KEY,
    call_id      BIGINT NOT NULL REFERENCES calls (id),
    scorecard_id BIGINT NOT NULL REFERENCES scorecards (id),
    reason       NVARCHAR(MAX)    NOT NULL CHECK (reason IN ('fatal', 'review_item', 'low_score', 'low_asr_confidence', 'random_sample')),
    detail       NVARCHAR(MAX)    NULL,
    status       NVARCHAR(100)    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_review', 'closed')),
    created_at   DATETIME2(3)    NOT NULL,
    UNIQUE (scorecard_id, reason)
);
GO
CREATE INDEX ix_review_flags_open ON review_flags (status, created_at);
GO
