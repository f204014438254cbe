// `npm run hash-password`: reads a password on stdin, prints its scrypt hash for JAMIE_USERS
// (`name:role:<hash>`). Read from stdin so the password stays out of the shell's history.
import { text } from "node:stream/consumers";
import { hashPassword } from "./passwords.js";

const password = (await text(process.stdin)).replace(/\r?\n$/, "");
if (password.length < 8) {
  process.stderr.write("hash-password: give a password of at least 8 characters on stdin\n");
  process.exit(2);
}
process.stdout.write(`${await hashPassword(password)}\n`);
