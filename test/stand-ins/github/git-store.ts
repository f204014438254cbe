import { createHash } from "node:crypto";
import { diffLines } from "diff";

/** A person on a commit, as git records it. */
export type GitPerson = { name: string; email: string; date: string };

/** A tree, flattened: every file's full path to its blob (the stand-in never needs sub-tree objects). */
export type FlatTree = ReadonlyMap<string, { mode: string; sha: string }>;

export type GitCommit = {
  sha: string;
  tree: string;
  parents: string[];
  message: string;
  author: GitPerson;
  committer: GitPerson;
  /** The GitHub account behind the author, when there is one. */
  login: string | null;
};

export type FileChange = { filename: string; status: "added" | "modified" | "removed"; additions: number; deletions: number; sha: string };

/** Content-addressed blobs, trees and commits of one repository, with git's own blob ids. */
export class GitStore {
  private readonly blobs = new Map<string, string>();
  private readonly trees = new Map<string, FlatTree>();
  private readonly commits = new Map<string, GitCommit>();

  putBlob(content: string): string {
    const sha = gitHash("blob", content);
    this.blobs.set(sha, content);
    return sha;
  }

  putTree(entries: FlatTree): string {
    const sorted = [...entries].sort(([a], [b]) => (a < b ? -1 : 1));
    const sha = gitHash("tree", sorted.map(([path, e]) => `${e.mode} ${path}\0${e.sha}`).join("\n"));
    this.trees.set(sha, new Map(sorted));
    return sha;
  }

  putCommit(c: Omit<GitCommit, "sha">): GitCommit {
    const body = [`tree ${c.tree}`, ...c.parents.map((p) => `parent ${p}`), `author ${c.author.name} <${c.author.email}> ${c.author.date}`, `committer ${c.committer.name} <${c.committer.email}> ${c.committer.date}`, "", c.message].join("\n");
    const commit = { ...c, sha: gitHash("commit", body) };
    this.commits.set(commit.sha, commit);
    return commit;
  }

  blob(sha: string): string | undefined {
    return this.blobs.get(sha);
  }
  tree(sha: string): FlatTree | undefined {
    return this.trees.get(sha);
  }
  commit(sha: string): GitCommit | undefined {
    return this.commits.get(sha);
  }

  /** Every file of a tree with its content. */
  files(treeSha: string): Map<string, string> {
    const out = new Map<string, string>();
    for (const [path, e] of this.trees.get(treeSha) ?? []) out.set(path, this.blobs.get(e.sha) ?? "");
    return out;
  }

  /** First-parent history from `sha`, newest first. */
  history(sha: string): GitCommit[] {
    const out: GitCommit[] = [];
    for (let c = this.commits.get(sha); c; c = c.parents[0] ? this.commits.get(c.parents[0]) : undefined) out.push(c);
    return out;
  }

  /** Whether `commit` changed `path` (a file or a folder prefix) against its first parent. */
  touches(commit: GitCommit, path: string): boolean {
    const parent = commit.parents[0] ? this.commits.get(commit.parents[0]) : undefined;
    return this.diff(parent?.tree, commit.tree).some((f) => f.filename === path || f.filename.startsWith(`${path.replace(/\/$/, "")}/`));
  }

  /** The files that differ between two trees, as GitHub's pull request files list them. */
  diff(baseTree: string | undefined, headTree: string): FileChange[] {
    const base = (baseTree && this.trees.get(baseTree)) || new Map<string, { mode: string; sha: string }>();
    const head = this.trees.get(headTree) ?? new Map<string, { mode: string; sha: string }>();
    const out: FileChange[] = [];
    for (const path of [...new Set([...base.keys(), ...head.keys()])].sort()) {
      const b = base.get(path);
      const h = head.get(path);
      if (b?.sha === h?.sha) continue;
      let additions = 0;
      let deletions = 0;
      for (const part of diffLines(b ? (this.blobs.get(b.sha) ?? "") : "", h ? (this.blobs.get(h.sha) ?? "") : "")) {
        if (part.added) additions += part.count;
        if (part.removed) deletions += part.count;
      }
      out.push({ filename: path, status: !b ? "added" : !h ? "removed" : "modified", additions, deletions, sha: (h ?? b)?.sha ?? "" });
    }
    return out;
  }
}

/** Git's object id: sha1 of "<type> <byte length>\0<content>". */
function gitHash(type: string, content: string): string {
  return createHash("sha1").update(`${type} ${Buffer.byteLength(content)}\0${content}`).digest("hex");
}
