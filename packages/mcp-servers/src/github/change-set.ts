import { z } from "zod";

/** The most files one change set may touch. */
export const MAX_CHANGED_FILES = 50;

/** A path inside the repository: relative, no empty, `.` or `..` segments. */
const RepoPath = z
  .string()
  .min(1)
  .max(1024)
  .refine((p) => !p.startsWith("/") && p.split("/").every((s) => s !== "" && s !== "." && s !== ".."), "expected a relative path inside the repository, e.g. deploy/payments/deployment.yaml (no leading /, no . or .. segments)")
  .describe("The file's path in the repository, e.g. deploy/payments/deployment.yaml");

const WriteFile = z.strictObject({ path: RepoPath, content: z.string().max(1_000_000).describe("The file's whole new content (UTF-8 text, at most 1 MB)") });
const DeleteFile = z.strictObject({ path: RepoPath, delete: z.literal(true).describe("true: delete this file") });

/** A change set: files to write (created or replaced) or delete, each path once. */
export const ChangeSet = z
  .array(z.union([WriteFile, DeleteFile]))
  .min(1)
  .max(MAX_CHANGED_FILES)
  .refine((files) => new Set(files.map((f) => f.path)).size === files.length, "each path may appear only once in files")
  .describe(`The change: 1-${MAX_CHANGED_FILES} entries, each {path, content} to write a file or {path, delete: true} to delete one`);
export type ChangeSet = z.infer<typeof ChangeSet>;

const hasControlChar = (s: string) => [...s].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);

/**
 * A new branch's name, checked against git's ref-name rules (git check-ref-format) so the branch
 * can be created as given.
 */
export const BranchName = z
  .string()
  .min(1)
  .max(200)
  .refine(
    (b) => !/[\s~^:?*[\\]/.test(b) && !hasControlChar(b) && !b.includes("..") && !b.includes("@{") && !b.includes("//") && !/^[-/.]|[/.]$|\.lock$|\/\./.test(b) && b !== "@",
    "expected a valid git branch name, e.g. autodevops/scale-payments (no spaces, ~ ^ : ? * [ \\, .., //, or a leading -, / or .)",
  )
  .describe("The new branch to create for the change, e.g. autodevops/scale-payments; refused if it already exists");

/** The Git Data API tree entries for a change set: inline content for writes, a null sha for deletions. */
export function treeEntries(files: ChangeSet): { path: string; mode: "100644"; type: "blob"; content?: string; sha?: null }[] {
  return files.map((f) => ("delete" in f ? { path: f.path, mode: "100644", type: "blob", sha: null } : { path: f.path, mode: "100644", type: "blob", content: f.content }));
}
