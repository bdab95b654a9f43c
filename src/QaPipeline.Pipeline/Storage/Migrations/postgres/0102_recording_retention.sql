-- Recording retention (the admin's "keep recordings N days"): the audio file is deleted from the store, the
-- call, transcript, scorecards and reviews stay. NULL = the recording is still in the store.
ALTER TABLE calls ADD COLUMN recording_deleted_at TIMESTAMPTZ NULL;
