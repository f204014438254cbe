import type { Config } from "@autodevops/shared";
import { hashPassword, verifyPassword } from "./passwords.js";

export type Role = "viewer" | "approver" | "admin";
export interface User {
  name: string;
  role: Role;
}

/** What each role may do: viewers read and chat, approvers also decide approvals, admins also read the audit log's details. */
const RANK: Record<Role, number> = { viewer: 0, approver: 1, admin: 2 };
export const atLeast = (role: Role, needed: Role): boolean => RANK[role] >= RANK[needed];

/** The portal's users: from JAMIE_USERS, or in a demo the three demo users sharing one password. */
export class UserDirectory {
  private constructor(private readonly users: ReadonlyMap<string, { role: Role; passwordHash: string }>) {}

  static async fromConfig(portal: Config["portal"], nodeEnv: Config["nodeEnv"]): Promise<UserDirectory> {
    if (portal.users) return new UserDirectory(new Map(portal.users.map((u) => [u.name, { role: u.role, passwordHash: u.passwordHash }])));
    if (nodeEnv === "production") throw new Error("JAMIE_USERS is required in production: there are no demo users there");
    if (!portal.demoPassword) throw new Error("JAMIE_DEMO_PASSWORD is unset: without JAMIE_USERS the demo users need it (npm start generates one)");
    const hash = await hashPassword(portal.demoPassword);
    return new UserDirectory(new Map((["admin", "approver", "viewer"] as const).map((name) => [name, { role: name, passwordHash: hash }])));
  }

  /** The user when the password is theirs; an unknown name costs the same time as a wrong password. */
  async signIn(name: string, password: string): Promise<User | undefined> {
    const u = this.users.get(name);
    const ok = await verifyPassword(password, u?.passwordHash ?? "scrypt$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    return u && ok ? { name, role: u.role } : undefined;
  }

  get(name: string): User | undefined {
    const u = this.users.get(name);
    return u ? { name, role: u.role } : undefined;
  }
}
