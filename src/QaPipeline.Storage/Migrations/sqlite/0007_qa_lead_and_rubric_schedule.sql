-- The QA lead (质检主管): manages rubrics and the routing table, exports and reads dashboards, administers no users.
-- SQLite cannot change a CHECK constraint in place: the table is rebuilt with the wider list.
CREATE TABLE user_roles_new (
    user_id INTEGER NOT NULL REFERENCES users (id),
    role    TEXT   NOT NULL CHECK (role IN ('admin', 'monitor', 'trainer', 'agent', 'qa_lead')),
    PRIMARY KEY (user_id, role)
);
INSERT INTO user_roles_new (user_id, role) SELECT user_id, role FROM user_roles;
DROP TABLE user_roles;
ALTER TABLE user_roles_new RENAME TO user_roles;

-- A rubric published to apply from a date scores the calls that started from then (NULL: from publication on);
-- the routing table is published and kept the same way (kind 'routing').
ALTER TABLE rubric_versions ADD COLUMN applies_from TEXT NULL;
ALTER TABLE rubric_versions ADD COLUMN kind TEXT NOT NULL DEFAULT 'rubric';
