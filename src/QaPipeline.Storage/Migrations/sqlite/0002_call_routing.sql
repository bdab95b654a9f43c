-- Routing each call to its line's rubric (scoring-rules/routing.yaml): what the call's metadata says about the
-- recording (language, the agent's channel, a rubric named outright), the language found when none was given
-- and where it came from, and on each scorecard the routing rule that chose its rubric.
ALTER TABLE calls ADD COLUMN language TEXT NULL CHECK (language IN ('zh', 'en'));
ALTER TABLE calls ADD COLUMN language_source TEXT NULL CHECK (language_source IN ('metadata', 'transcript', 'whisper'));
ALTER TABLE calls ADD COLUMN agent_channel TEXT NULL CHECK (agent_channel IN ('left', 'right', 'mono'));
ALTER TABLE calls ADD COLUMN rubric_override TEXT NULL;
ALTER TABLE scorecards ADD COLUMN routing_rule TEXT NULL;
