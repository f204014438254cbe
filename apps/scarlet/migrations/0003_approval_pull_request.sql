-- A change to a GitOps-managed workload is asked for as a pull request: its repository, number,
-- link, branch, the manifest it edits and what the cluster shows once it runs the change.
ALTER TABLE scarlet_approvals ADD COLUMN pull_request jsonb;
