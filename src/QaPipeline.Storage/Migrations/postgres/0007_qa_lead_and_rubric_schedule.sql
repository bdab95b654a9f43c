-- The QA lead (质检主管): manages rubrics and the routing table, exports and reads dashboards, administers no users.
ALTER TABLE user_roles DROP CONSTRAINT user_roles_role_check;
ALTER TABLE user_roles ADD CONSTRAINT user_roles_role_check CHECK (role IN ('admin', 'monitor', 'trainer', 'agent', 'qa_lead'));

-- A rubric published to apply from a date scores the calls that started from then (NULL: from publication on);
-- the routing table is published and kept the same way (kind 'routing').
ALTER TABLE rubric_versions ADD COLUMN applies_from TIMESTAMPTZ NULL;
ALTER TABLE rubric_versions ADD COLUMN kind TEXT NOT NULL DEFAULT 'rubric';
