-- Tables the web app builds on: people, human reviews with per-item verdicts, disputes, comments,
-- bookmarks and playlists, calibration, and the audit log. The pipeline writes audit_log only.
CREATE TABLE teams (
    id   INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    login         TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT NULL,
    agent_id      TEXT NULL UNIQUE,                    -- links an agent's account to calls.agent_id
    team_id       INTEGER NULL REFERENCES teams (id),
    created_at    TEXT NOT NULL
);

CREATE TABLE user_roles (
    user_id INTEGER NOT NULL REFERENCES users (id),
    role    TEXT    NOT NULL CHECK (role IN ('admin', 'supervisor', 'qa', 'agent')),
    PRIMARY KEY (user_id, role)
);

CREATE TABLE reviews (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    call_id      INTEGER NOT NULL REFERENCES calls (id),
    scorecard_id INTEGER NOT NULL REFERENCES scorecards (id),
    reviewer_id  INTEGER NOT NULL REFERENCES users (id),
    status       TEXT    NOT NULL CHECK (status IN ('draft', 'submitted')),
    final_score  REAL    NULL,
    started_at   TEXT    NOT NULL,
    submitted_at TEXT    NULL
);
CREATE INDEX ix_reviews_call ON reviews (call_id);

CREATE TABLE review_item_verdicts (
    review_id       INTEGER NOT NULL REFERENCES reviews (id),
    item_id         TEXT    NOT NULL,
    machine_verdict TEXT    NOT NULL CHECK (machine_verdict IN ('pass', 'fail', 'na', 'review')),
    human_verdict   TEXT    NOT NULL CHECK (human_verdict IN ('pass', 'fail', 'na')),
    deduction       REAL    NOT NULL,
    note            TEXT    NULL,
    PRIMARY KEY (review_id, item_id)
);

CREATE TABLE disputes (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    review_id   INTEGER NOT NULL REFERENCES reviews (id),
    raised_by   INTEGER NOT NULL REFERENCES users (id),
    item_id     TEXT    NULL,
    reason      TEXT    NOT NULL,
    status      TEXT    NOT NULL CHECK (status IN ('open', 'upheld', 'rejected')),
    resolved_by INTEGER NULL REFERENCES users (id),
    resolution  TEXT    NULL,
    created_at  TEXT    NOT NULL,
    resolved_at TEXT    NULL
);

CREATE TABLE comments (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    call_id    INTEGER NOT NULL REFERENCES calls (id),
    author_id  INTEGER NOT NULL REFERENCES users (id),
    at_seconds REAL    NULL,                           -- position in the recording the comment is about
    body       TEXT    NOT NULL,
    created_at TEXT    NOT NULL
);
CREATE INDEX ix_comments_call ON comments (call_id);

CREATE TABLE playlists (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_id   INTEGER NOT NULL REFERENCES users (id),
    name       TEXT    NOT NULL,
    created_at TEXT    NOT NULL
);

-- A bookmark is a playlist entry in the owner's personal "Bookmarks" playlist.
CREATE TABLE playlist_items (
    playlist_id INTEGER NOT NULL REFERENCES playlists (id),
    call_id     INTEGER NOT NULL REFERENCES calls (id),
    at_seconds  REAL    NULL,
    note        TEXT    NULL,
    added_at    TEXT    NOT NULL,
    PRIMARY KEY (playlist_id, call_id)
);

CREATE TABLE calibration_sessions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT    NOT NULL,
    call_id    INTEGER NOT NULL REFERENCES calls (id),
    rubric_id  TEXT    NOT NULL,
    created_by INTEGER NOT NULL REFERENCES users (id),
    status     TEXT    NOT NULL CHECK (status IN ('open', 'closed')),
    created_at TEXT    NOT NULL
);

CREATE TABLE calibration_ratings (
    session_id INTEGER NOT NULL REFERENCES calibration_sessions (id),
    rater_id   INTEGER NOT NULL REFERENCES users (id),
    item_id    TEXT    NOT NULL,
    value      TEXT    NULL,                           -- verdict or points as the rater gave it; NULL = not rated
    created_at TEXT    NOT NULL,
    PRIMARY KEY (session_id, rater_id, item_id)
);

CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    at        TEXT    NOT NULL,
    actor     TEXT    NOT NULL,                        -- a login, or 'pipeline' for the workers
    action    TEXT    NOT NULL,
    entity    TEXT    NOT NULL,
    entity_id TEXT    NULL,
    detail    TEXT    NULL
);
CREATE INDEX ix_audit_log_entity ON audit_log (entity, entity_id);
