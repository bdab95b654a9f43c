-- Tables the web app builds on: people, human reviews with per-item verdicts, disputes, comments,
-- bookmarks and playlists, calibration, and the audit log. The pipeline writes audit_log only.
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
    created_at    DATETIME2(3) NOT NULL
);
GO
-- SQL Server's UNIQUE admits one NULL only; a filtered index keeps many users without an agent id.
CREATE UNIQUE INDEX ux_users_agent_id ON users (agent_id) WHERE agent_id IS NOT NULL;
GO

CREATE TABLE user_roles (
    user_id BIGINT NOT NULL REFERENCES users (id),
    role    NVARCHAR(100)    NOT NULL CHECK (role IN ('admin', 'supervisor', 'qa', 'agent')),
    PRIMARY KEY (user_id, role)
);
GO

CREATE TABLE reviews (
    id           BIGINT IDENTITY(1,1) PRIMARY KEY,
    call_id      BIGINT NOT NULL REFERENCES calls (id),
    scorecard_id BIGINT NOT NULL REFERENCES scorecards (id),
    reviewer_id  BIGINT NOT NULL REFERENCES users (id),
    status       NVARCHAR(100)    NOT NULL CHECK (status IN ('draft', 'submitted')),
    final_score  FLOAT    NULL,
    started_at   DATETIME2(3)    NOT NULL,
    submitted_at DATETIME2(3)    NULL
);
GO
CREATE INDEX ix_reviews_call ON reviews (call_id);
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

CREATE TABLE disputes (
    id          BIGINT IDENTITY(1,1) PRIMARY KEY,
    review_id   BIGINT NOT NULL REFERENCES reviews (id),
    raised_by   BIGINT NOT NULL REFERENCES users (id),
    item_id     NVARCHAR(100)    NULL,
    reason      NVARCHAR(MAX)    NOT NULL,
    status      NVARCHAR(100)    NOT NULL CHECK (status IN ('open', 'upheld', 'rejected')),
    resolved_by BIGINT NULL REFERENCES users (id),
    resolution  NVARCHAR(MAX)    NULL,
    created_at  DATETIME2(3)    NOT NULL,
    resolved_at DATETIME2(3)    NULL
);
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

CREATE TABLE playlists (
    id         BIGINT IDENTITY(1,1) PRIMARY KEY,
    owner_id   BIGINT NOT NULL REFERENCES users (id),
    name       NVARCHAR(100)    NOT NULL,
    created_at DATETIME2(3)    NOT NULL
);
GO

-- A bookmark is a playlist entry in the owner's personal "Bookmarks" playlist.
CREATE TABLE playlist_items (
    playlist_id BIGINT NOT NULL REFERENCES playlists (id),
    call_id     BIGINT NOT NULL REFERENCES calls (id),
    at_seconds  FLOAT    NULL,
    note        NVARCHAR(MAX)    NULL,
    added_at    DATETIME2(3)    NOT NULL,
    PRIMARY KEY (playlist_id, call_id)
);
GO

CREATE TABLE calibration_sessions (
    id         BIGINT IDENTITY(1,1) PRIMARY KEY,
    name       NVARCHAR(100)    NOT NULL,
    call_id    BIGINT NOT NULL REFERENCES calls (id),
    rubric_id  NVARCHAR(100)    NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users (id),
    status     NVARCHAR(100)    NOT NULL CHECK (status IN ('open', 'closed')),
    created_at DATETIME2(3)    NOT NULL
);
GO

CREATE TABLE calibration_ratings (
    session_id BIGINT NOT NULL REFERENCES calibration_sessions (id),
    rater_id   BIGINT NOT NULL REFERENCES users (id),
    item_id    NVARCHAR(100)    NOT NULL,
    value      NVARCHAR(100)    NULL,                           -- verdict or points as the rater gave it; NULL = not rated
    created_at DATETIME2(3)    NOT NULL,
    PRIMARY KEY (session_id, rater_id, item_id)
);
GO

CREATE TABLE audit_log (
    id        BIGINT IDENTITY(1,1) PRIMARY KEY,
    at        DATETIME2(3)    NOT NULL,
    actor     NVARCHAR(100)    NOT NULL,                        -- a login, or 'pipeline' for the workers
    action    NVARCHAR(100)    NOT NULL,
    entity    NVARCHAR(100)    NOT NULL,
    entity_id NVARCHAR(100)    NULL,
    detail    NVARCHAR(MAX)    NULL
);
GO
CREATE INDEX ix_audit_log_entity ON audit_log (entity, entity_id);
GO
