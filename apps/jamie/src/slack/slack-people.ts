import type { Role, User } from "../auth/users.js";

/** Who a Slack user is to Jamie: the portal user they are mapped to (SLACK_APPROVERS) and that user's role. */
export interface SlackPerson {
  slackUser: string;
  /** The portal user, when the Slack user is mapped to one that exists. */
  user: User | undefined;
  /** What Jamie treats them as: the mapped user's role, else a viewer. */
  role: Role;
  /** The name Jamie records for them (audit, Scarlet's decision reason). */
  name: string;
  /** Who they are to the assistant and the memory: the portal user, else `slack:U…`. */
  chatId: string;
}

/** Resolves Slack users against the approver mapping and the portal's user directory. */
export function slackPeople(approvers: ReadonlyMap<string, string>, users: { get(name: string): User | undefined }) {
  return (slackUser: string): SlackPerson => {
    const mapped = approvers.get(slackUser);
    const user = mapped ? users.get(mapped) : undefined;
    return { slackUser, user, role: user?.role ?? "viewer", name: user ? `${user.name} (Slack ${slackUser})` : `slack:${slackUser}`, chatId: user?.name ?? `slack:${slackUser}` };
  };
}

/** Only mapped users whose portal role may decide approvals count as approvers. */
export const mayApprove = (p: SlackPerson): boolean => p.role === "approver" || p.role === "admin";
