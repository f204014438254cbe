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

/** An entry of a tree as GitHub's Git Trees API lists it: directories are `tree` entries of their own. */
export type TreeEntry = { path: string; mode: string; type: "blob" | "tree"; sha: string };

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

  /**
   * A tree's entries as git holds them: files and directories of the top level, or of every level
   * (`recursive`, directories before their contents). Directories become trees of their own (the
   * flat paths below them), so their shas are stable and can be read back like any tree.
   */
  entries(treeSha: string, recursive: boolean): TreeEntry[] | undefined {
    const tree = this.trees.get(treeSha);
    if (!tree) return undefined;
    const out: TreeEntry[] = [];
    const walk = (files: FlatTree, prefix: string) => {
      const dirs = new Map<string, Map<string, { mode: string; sha: string }>>();
      const level: { name: string; entry?: { mode: string; sha: string } }[] = [];
      for (const [path, e] of files) {
        const slash = path.indexOf("/");
        if (slash < 0) {
          level.push({ name: path, entry: e });
          continue;
        }
        const name = path.slice(0, slash);
        if (!dirs.has(name)) {
          dirs.set(name, new Map());
          level.push({ name });
        }
        dirs.get(name)?.set(path.slice(slash + 1), e);
      }
      // Git orders a tree's entries by name, a directory's name read with its trailing slash.
      const key = (x: { name: string; entry?: unknown }) => (x.entry ? x.name : `${x.name}/`);
      for (const x of level.sort((a, b) => (key(a) < key(b) ? -1 : 1))) {
        const sub = dirs.get(x.name);
        if (x.entry) out.push({ path: prefix + x.name, mode: x.entry.mode, type: "blob", sha: x.entry.sha });
        else if (sub) {
          out.push({ path: prefix + x.name, mode: "040000", type: "tree", sha: this.putTree(sub) });
          if (recursive) walk(sub, `${prefix}${x.name}/`);
        }
      }
    };
    walk(tree, "");
    return out;
  }

  /** The tree of directory `dir` within a tree, or undefined when no file lies below it. */
  subtree(treeSha: string, dir: string): string | undefined {
    const prefix = `${dir.replace(/\/$/, "")}/`;
    const sub = new Map<string, { mode: string; sha: string }>();
    for (const [path, e] of this.trees.get(treeSha) ?? []) if (path.startsWith(prefix)) sub.set(path.slice(prefix.length), e);
    return sub.size ? this.putTree(sub) : undefined;
  }

  /** The nearest commit both `a` and `b` descend from (breadth first from `b`), as `git merge-base` finds it. */
  mergeBase(a: string, b: string): string | undefined {
    const ofA = new Set<string>();
    for (const queue = [a]; queue.length; ) {
      const sha = queue.shift() ?? "";
      if (ofA.has(sha)) continue;
      ofA.add(sha);
      queue.push(...(this.commits.get(sha)?.parents ?? []));
    }
    const seen = new Set<string>();
    for (const queue = [b]; queue.length; ) {
      const sha = queue.shift() ?? "";
      if (ofA.has(sha)) return sha;
      if (seen.has(sha)) continue;
      seen.add(sha);
      queue.push(...(this.commits.get(sha)?.parents ?? []));
    }
    return undefined;
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
