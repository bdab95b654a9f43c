-- The QA lead (质检主管): manages rubrics and the routing table, exports and reads dashboards, administers no users.
-- The baseline's CHECK has a generated name: look it up, drop it, add the wider one under a fixed name.
DECLARE @check sysname = (SELECT name FROM sys.check_constraints WHERE parent_object_id = OBJECT_ID('user_roles'));
IF @check IS NOT NULL EXEC ('ALTER TABLE user_roles DROP CONSTRAINT ' + @check);
GO
ALTER TABLE user_roles ADD CONSTRAINT ck_user_roles_role CHECK (role IN ('admin', 'monitor', 'trainer', 'agent', 'qa_lead'));
GO

-- A rubric published to apply from a date scores the calls that started from then (NULL: from publication on);
-- the routing table is published and kept the same way (kind 'routing').
ALTER TABLE rubric_versions ADD applies_from DATETIME2(3) NULL;
GO
ALTER TABLE rubric_versions ADD kind NVARCHAR(20) NOT NULL DEFAULT 'rubric';
GO
