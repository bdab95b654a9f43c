-- The schema as it stands at the first release, squashed from the development scripts (nothing was deployed
-- before it). Changes after it are numbered scripts 0002, 0003, ... for every engine; this file is never edited.
-- Each GO batch creates one table or index (DbUp's SQL Server runner splits on GO).
--
-- Calls, their pipeline stages, and what each stage produced. The product tables are the source of truth: the job
-- queue is rebuilt from them on every start.
CREATE TABLE calls (
    id                   BIGINT IDENTITY(1,1) PRIMARY KEY,
    content_hash         VARCHAR(64)    NOT NULL UNIQUE,          -- SHA-256 of the original bytes, lower-case hex
    store_path           NVARCHAR(400)    NOT NULL,               -- relative to the recording store root
    original_name        NVARCHAR(400)    NOT NULL,
    size_bytes           BIGINT NOT NULL,
    external_call_id     NVARCHAR(100)    NULL,                   -- the telephony platform's call id
    agent_id             NVARCHAR(100)    NULL,
    team                 NVARCHAR(100)    NULL,
    queue                NVARCHAR(100)    NULL,
    direction            NVARCHAR(100)    NULL CHECK (direction IN ('inbound', 'outbound')),
    started_at           DATETIME2(3)    NULL,
    customer_number      NVARCHAR(100)    NULL,
    status               NVARCHAR(100)    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'processing', 'scored', 'failed')),
    failure_reason       NVARCHAR(MAX)    NULL,
    queued_at            DATETIME2(3) NULL,                       -- when a worker queue took the call; NULL = waiting to be enqueued
    ingested_at          DATETIME2(3)    NOT NULL,
    -- Recording retention (the admin's "keep recordings N days"): the audio file is deleted from the store, the
    -- call, transcript, scorecards and reviews stay. NULL = the recording is still in the store.
    recording_deleted_at DATETIME2(3) NULL
);
GO
CREATE INDEX ix_calls_status ON calls (status, queued_at);
GO
CREATE INDEX ix_calls_agent_started ON calls (agent_id, started_at);
GO
CREATE INDEX ix_calls_external ON calls (external_call_id);
GO
CREATE INDEX ix_calls_team_started ON calls (team, started_at);
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

-- Why a call goes to a person: model_disagreement is the review-priority model predicting an overturn (QaPipeline.Learning).
-- The reason has an indexable width (it is in the UNIQUE key).
CREATE TABLE review_flags (
    id           BIGINT IDENTITY(1,1) PRIMARY KEY,
    call_id      BIGINT NOT NULL REFERENCES calls (id),
    scorecard_id BIGINT NOT NULL REFERENCES scorecards (id),
    reason       NVARCHAR(100)    NOT NULL CHECK (reason IN ('fatal', 'review_item', 'low_score', 'low_asr_confidence', 'random_sample', 'model_disagreement')),
    detail       NVARCHAR(MAX)    NULL,
    status       NVARCHAR(100)    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_review', 'closed')),
    created_at   DATETIME2(3)    NOT NULL,
    UNIQUE (scorecard_id, reason)
);
GO
CREATE INDEX ix_review_flags_open ON review_flags (status, created_at);
GO
-- The review queue reads open flags per call and filters by team and time.
CREATE INDEX ix_review_flags_call ON review_flags (call_id);
GO
-- The queue walks each flag reason's unclosed flags in flag-time order (see ReviewQueueRepository).
CREATE INDEX ix_review_flags_queue ON review_flags (created_at) INCLUDE (reason, call_id, scorecard_id) WHERE status <> 'closed';
GO

-- People: teams, users, roles (管理员 admin, 质检员 monitor, 培训师 trainer, 客服代表 agent), the teams a monitor works for.
CREATE TABLE teams (
    id   BIGINT IDENTITY(1,1) PRIMARY KEY,
    name NVARCHAR(100) NOT NULL UNIQUE
);
GO

CREATE TABLE users (
    id            BIGINT IDENTITY(1,1) PRIMARY KEY,
    login         NVARCHAR(100) NOT NULL UNIQUE,
    display_name  NVARCHAR(100) NOT NULL,
    password_hash NVARCHAR(MAX) NULL,
    agent_id      NVARCHAR(100) NULL,                           -- links an agent's account to calls.agent_id
    team_id       BIGINT NULL REFERENCES teams (id),
    created_at    DATETIME2(3) NOT NULL,
    active        BIT NOT NULL DEFAULT 1
);
GO
-- SQL Server's UNIQUE admits one NULL only; a filtered index keeps many users without an agent id.
CREATE UNIQUE INDEX ux_users_agent_id ON users (agent_id) WHERE agent_id IS NOT NULL;
GO

CREATE TABLE user_roles (
    user_id BIGINT NOT NULL REFERENCES users (id),
    role    NVARCHAR(100) NOT NULL CHECK (role IN ('admin', 'monitor', 'trainer', 'agent')),
    PRIMARY KEY (user_id, role)
);
GO

CREATE TABLE monitor_teams (
    user_id BIGINT NOT NULL REFERENCES users (id),
    team_id BIGINT NOT NULL REFERENCES teams (id),
    PRIMARY KEY (user_id, team_id)
);
GO

-- Human reviews with per-item verdicts.
CREATE TABLE reviews (
    id              BIGINT IDENTITY(1,1) PRIMARY KEY,
    call_id         BIGINT NOT NULL REFERENCES calls (id),
    scorecard_id    BIGINT NOT NULL REFERENCES scorecards (id),
    reviewer_id     BIGINT NOT NULL REFERENCES users (id),
    status          NVARCHAR(100)    NOT NULL CHECK (status IN ('draft', 'submitted')),
    final_score     FLOAT    NULL,
    started_at      DATETIME2(3)    NOT NULL,
    submitted_at    DATETIME2(3)    NULL,
    acknowledged_at DATETIME2(3) NULL
);
GO
CREATE INDEX ix_reviews_call ON reviews (call_id);
GO
-- A draft review is the claim on a call: at most one per call, so two monitors never review it at once.
CREATE UNIQUE INDEX ux_reviews_one_draft ON reviews (call_id) WHERE status = 'draft';
GO
CREATE INDEX ix_reviews_submitted ON reviews (status, submitted_at);
GO

CREATE TABLE review_item_verdicts (
    review_id       BIGINT NOT NULL REFERENCES reviews (id),
    item_id         NVARCHAR(100)    NOT NULL,
    machine_verdict NVARCHAR(100)    NOT NULL CHECK (machine_verdict IN ('pass', 'fail', 'na', 'review')),
    human_verdict   NVARCHAR(100)    NOT NULL CHECK (human_verdict IN ('pass', 'fail', 'na')),
    deduction       FLOAT    NOT NULL,
    note            NVARCHAR(MAX)    NULL,
    PRIMARY KEY (review_id, item_id)
);
GO

-- An agent disputes one item, of a reviewed call or of an automatic verdict nobody reviewed yet.
CREATE TABLE disputes (
    id           BIGINT IDENTITY(1,1) PRIMARY KEY,
    call_id      BIGINT NOT NULL REFERENCES calls (id),
    scorecard_id BIGINT NOT NULL REFERENCES scorecards (id),
    review_id    BIGINT NULL REFERENCES reviews (id),
    raised_by    BIGINT NOT NULL REFERENCES users (id),
    item_id      NVARCHAR(100)    NOT NULL,
    reason       NVARCHAR(MAX)    NOT NULL,
    status       NVARCHAR(400)    NOT NULL CHECK (status IN ('open', 'upheld', 'rejected')),
    resolved_by  BIGINT NULL REFERENCES users (id),
    resolution   NVARCHAR(MAX)    NULL,
    created_at   DATETIME2(3)    NOT NULL,
    resolved_at  DATETIME2(3)    NULL
);
GO
CREATE INDEX ix_disputes_status ON disputes (status, created_at);
GO
CREATE INDEX ix_disputes_call ON disputes (call_id);
GO

CREATE TABLE comments (
    id         BIGINT IDENTITY(1,1) PRIMARY KEY,
    call_id    BIGINT NOT NULL REFERENCES calls (id),
    author_id  BIGINT NOT NULL REFERENCES users (id),
    at_seconds FLOAT    NULL,                           -- position in the recording the comment is about
    body       NVARCHAR(MAX)    NOT NULL,
    created_at DATETIME2(3)    NOT NULL
);
GO
CREATE INDEX ix_comments_call ON comments (call_id);
GO

-- Coaching playlists for an agent or a team; a playlist holds clips (start/end) of calls.
CREATE TABLE playlists (
    id           BIGINT IDENTITY(1,1) PRIMARY KEY,
    owner_id     BIGINT NOT NULL REFERENCES users (id),
    name         NVARCHAR(100)    NOT NULL,
    created_at   DATETIME2(3)    NOT NULL,
    for_agent_id NVARCHAR(400) NULL,
    for_team     NVARCHAR(400) NULL
);
GO

CREATE TABLE playlist_items (
    id          BIGINT IDENTITY(1,1) PRIMARY KEY,
    playlist_id BIGINT NOT NULL REFERENCES playlists (id),
    call_id     BIGINT NOT NULL REFERENCES calls (id),
    start_s     FLOAT    NOT NULL,
    end_s       FLOAT    NOT NULL,
    example     NVARCHAR(400)    NOT NULL CHECK (example IN ('good', 'bad')),
    note        NVARCHAR(MAX)    NULL,
    added_by    BIGINT NOT NULL REFERENCES users (id),
    added_at    DATETIME2(3)    NOT NULL
);
GO
CREATE INDEX ix_playlist_items_playlist ON playlist_items (playlist_id);
GO

-- Calibration meetings: several calls each, every participant scores every item blind, the lead records the agreed verdicts.
CREATE TABLE calibration_sessions (
    id          BIGINT IDENTITY(1,1) PRIMARY KEY,
    name        NVARCHAR(400)    NOT NULL,
    created_by  BIGINT NOT NULL REFERENCES users (id),
    status      NVARCHAR(400)    NOT NULL CHECK (status IN ('scoring', 'revealed', 'closed')),
    decisions   NVARCHAR(MAX)    NULL,                          -- what the meeting decided (e.g. a rubric change)
    created_at  DATETIME2(3)    NOT NULL,
    revealed_at DATETIME2(3)    NULL
);
GO
CREATE TABLE calibration_calls (
    session_id BIGINT NOT NULL REFERENCES calibration_sessions (id),
    call_id    BIGINT NOT NULL REFERENCES calls (id),
    PRIMARY KEY (session_id, call_id)
);
GO
CREATE TABLE calibration_participants (
    session_id   BIGINT NOT NULL REFERENCES calibration_sessions (id),
    user_id      BIGINT NOT NULL REFERENCES users (id),
    submitted_at DATETIME2(3)    NULL,
    PRIMARY KEY (session_id, user_id)
);
GO
CREATE INDEX ix_calibration_participants_user ON calibration_participants (user_id, submitted_at);
GO
CREATE TABLE calibration_ratings (
    session_id BIGINT NOT NULL REFERENCES calibration_sessions (id),
    call_id    BIGINT NOT NULL REFERENCES calls (id),
    rater_id   BIGINT NOT NULL REFERENCES users (id),
    item_id    NVARCHAR(100)    NOT NULL,
    verdict    NVARCHAR(400)    NOT NULL CHECK (verdict IN ('pass', 'fail', 'na')),
    PRIMARY KEY (session_id, call_id, rater_id, item_id)
);
GO
CREATE TABLE calibration_agreed (
    session_id BIGINT NOT NULL REFERENCES calibration_sessions (id),
    call_id    BIGINT NOT NULL REFERENCES calls (id),
    item_id    NVARCHAR(100)    NOT NULL,
    verdict    NVARCHAR(400)    NOT NULL CHECK (verdict IN ('pass', 'fail', 'na')),
    decided_by BIGINT NOT NULL REFERENCES users (id),
    decided_at DATETIME2(3)    NOT NULL,
    PRIMARY KEY (session_id, call_id, item_id)
);
GO

-- Settings an admin changes at run time (sampling rate, dispute window, retention, active rubric).
CREATE TABLE web_settings (
    [key]      NVARCHAR(100) PRIMARY KEY,
    value      NVARCHAR(MAX) NOT NULL,
    updated_by NVARCHAR(400) NOT NULL,
    updated_at DATETIME2(3) NOT NULL
);
GO

-- One row per item of every scorecard, projected from scorecards.json, so the library search, the queue's item filter
-- and the dashboards filter by item and verdict with an index instead of parsing JSON.
CREATE TABLE scorecard_items (
    scorecard_id BIGINT NOT NULL REFERENCES scorecards (id),
    call_id      BIGINT NOT NULL REFERENCES calls (id),
    item_id      NVARCHAR(100)    NOT NULL,
    verdict      NVARCHAR(400)    NOT NULL,
    deduction    FLOAT    NOT NULL,
    PRIMARY KEY (scorecard_id, item_id)
);
GO
CREATE INDEX ix_scorecard_items_item ON scorecard_items (item_id, verdict);
GO

-- Append-only record of who did what: a login, or 'pipeline' for the workers.
CREATE TABLE audit_log (
    id        BIGINT IDENTITY(1,1) PRIMARY KEY,
    at        DATETIME2(3)    NOT NULL,
    actor     NVARCHAR(100)    NOT NULL,
    action    NVARCHAR(100)    NOT NULL,
    entity    NVARCHAR(100)    NOT NULL,
    entity_id NVARCHAR(100)    NULL,
    detail    NVARCHAR(MAX)    NULL
);
GO
CREATE INDEX ix_audit_log_entity ON audit_log (entity, entity_id);
GO
