-- What an approver reads before deciding: the dry-run of the action (the object's diff), taken
-- when the approval was asked for.
ALTER TABLE scarlet_approvals ADD COLUMN preview text;
