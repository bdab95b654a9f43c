-- Tables the web app builds on: people, human reviews with per-item verdicts, disputes, comments,
-- bookmarks and playlists, calibration, and the audit log. The pipeline writes audit_log only.
CREATE TABLE teams (
    id   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE users (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    login         TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT NULL,
    agent_id      TEXT NULL UNIQUE,                    -- links an agent's account to calls.agent_id
    team_id       BIGINT NULL REFERENCES teams (id),
    created_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE user_roles (
    user_id BIGINT NOT NULL REFERENCES users (id),
    role    TEXT    NOT NULL CHECK (role IN ('admin', 'supervisor', 'qa', 'agent')),
    PRIMARY KEY (user_id, role)
);

CREATE TABLE reviews (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    call_id      BIGINT NOT NULL REFERENCES calls (id),
    scorecard_id BIGINT NOT NULL REFERENCES scorecards (id),
    reviewer_id  BIGINT NOT NULL REFERENCES users (id),
    status       TEXT    NOT NULL CHECK (status IN ('draft', 'submitted')),
    final_score  DOUBLE PRECISION    NULL,
    started_at   TIMESTAMPTZ    NOT NULL,
    submitted_at TIMESTAMPTZ    NULL
);
CREATE INDEX ix_reviews_call ON reviews (call_id);

CREATE TABLE review_item_verdicts (
    review_id       BIGINT NOT NULL REFERENCES reviews (id),
    item_id         TEXT    NOT NULL,
    machine_verdict TEXT    NOT NULL CHECK (machine_verdict IN ('pass', 'fail', 'na', 'review')),
    human_verdict   TEXT    NOT NULL CHECK (human_verdict IN ('pass', 'fail', 'na')),
    deduction       DOUBLE PRECISION    NOT NULL,
    note            TEXT    NULL,
    PRIMARY KEY (review_id, item_id)
);

CREATE TABLE disputes (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    review_id   BIGINT NOT NULL REFERENCES reviews (id),
    raised_by   BIGINT NOT NULL REFERENCES users (id),
    item_id     TEXT    NULL,
    reason      TEXT    NOT NULL,
    status      TEXT    NOT NULL CHECK (status IN ('open', 'upheld', 'rejected')),
    resolved_by BIGINT NULL REFERENCES users (id),
    resolution  TEXT    NULL,
    created_at  TIMESTAMPTZ    NOT NULL,
    resolved_at TIMESTAMPTZ    NULL
);

CREATE TABLE comments (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    call_id    BIGINT NOT NULL REFERENCES calls (id),
    author_id  BIGINT NOT NULL REFERENCES users (id),
    at_seconds DOUBLE PRECISION    NULL,                           -- position in the recording the comment is about
    body       TEXT    NOT NULL,
    created_at TIMESTAMPTZ    NOT NULL
);
CREATE INDEX ix_comments_call ON comments (call_id);

CREATE TABLE playlists (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner_id   BIGINT NOT NULL REFERENCES users (id),
    name       TEXT    NOT NULL,
    created_at TIMESTAMPTZ    NOT NULL
);

-- A bookmark is a playlist entry in the owner's personal "Bookmarks" playlist.
CREATE TABLE playlist_items (
    playlist_id BIGINT NOT NULL REFERENCES playlists (id),
    call_id     BIGINT NOT NULL REFERENCES calls (id),
    at_seconds  DOUBLE PRECISION    NULL,
    note        TEXT    NULL,
    added_at    TIMESTAMPTZ    NOT NULL,
    PRIMARY KEY (playlist_id, call_id)
);

CREATE TABLE calibration_sessions (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       TEXT    NOT NULL,
    call_id    BIGINT NOT NULL REFERENCES calls (id),
    rubric_id  TEXT    NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users (id),
    status     TEXT    NOT NULL CHECK (status IN ('open', 'closed')),
    created_at TIMESTAMPTZ    NOT NULL
);

CREATE TABLE calibration_ratings (
    session_id BIGINT NOT NULL REFERENCES calibration_sessions (id),
    rater_id   BIGINT NOT NULL REFERENCES users (id),
    item_id    TEXT    NOT NULL,
    value      TEXT    NULL,                           -- verdict or points as the rater gave it; NULL = not rated
    created_at TIMESTAMPTZ    NOT NULL,
    PRIMARY KEY (session_id, rater_id, item_id)
);

CREATE TABLE audit_log (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at        TIMESTAMPTZ    NOT NULL,
    actor     TEXT    NOT NULL,                        -- a login, or 'pipeline' for the workers
    action    TEXT    NOT NULL,
    entity    TEXT    NOT NULL,
    entity_id TEXT    NULL,
    detail    TEXT    NULL
);
CREATE INDEX ix_audit_log_entity ON audit_log (entity, entity_id);
