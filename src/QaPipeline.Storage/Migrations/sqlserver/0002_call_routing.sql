-- Routing each call to its line's rubric (scoring-rules/routing.yaml): what the call's metadata says about the
-- recording (language, the agent's channel, a rubric named outright), the language found when none was given
-- and where it came from, and on each scorecard the routing rule that chose its rubric.
ALTER TABLE calls ADD language NVARCHAR(10) NULL CHECK (language IN ('zh', 'en'));
GO
ALTER TABLE calls ADD language_source NVARCHAR(20) NULL CHECK (language_source IN ('metadata', 'transcript', 'whisper'));
GO
ALTER TABLE calls ADD agent_channel NVARCHAR(10) NULL CHECK (agent_channel IN ('left', 'right', 'mono'));
GO
ALTER TABLE calls ADD rubric_override NVARCHAR(100) NULL;
GO
ALTER TABLE scorecards ADD routing_rule NVARCHAR(200) NULL;
GO
