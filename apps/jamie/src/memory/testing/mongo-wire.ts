import { BSON } from "mongodb";

/**
 * MongoDB's wire protocol framing, for the test stand-in: the 16-byte header, OP_MSG (2013)
 * with its kind 0 body and kind 1 document sequences, and the legacy OP_QUERY (2004) / OP_REPLY
 * (1) pair a driver may use for its first `hello`. Test support, not shipped code.
 */

export const OP_REPLY = 1;
export const OP_QUERY = 2004;
export const OP_MSG = 2013;

const CHECKSUM_PRESENT = 1 << 0;
const MORE_TO_COME = 1 << 1;

export type Doc = Record<string, unknown>;

export interface Header {
  length: number;
  requestId: number;
  responseTo: number;
  opCode: number;
}

/** A command as the server sees it: the body with any document sequences folded in as arrays. */
export interface InboundCommand {
  header: Header;
  /** OP_QUERY handshakes are answered with OP_REPLY, everything else with OP_MSG. */
  legacy: boolean;
  /** The client asked for no reply (an unacknowledged write). */
  moreToCome: boolean;
  body: Doc;
}

export function readHeader(buf: Buffer): Header {
  return { length: buf.readInt32LE(0), requestId: buf.readInt32LE(4), responseTo: buf.readInt32LE(8), opCode: buf.readInt32LE(12) };
}

function readBson(buf: Buffer, at: number): { doc: Doc; end: number } {
  const size = buf.readInt32LE(at);
  return { doc: BSON.deserialize(buf.subarray(at, at + size)) as Doc, end: at + size };
}

function readCString(buf: Buffer, at: number): { value: string; end: number } {
  const zero = buf.indexOf(0, at);
  if (zero < 0) throw new Error("unterminated cstring");
  return { value: buf.toString("utf8", at, zero), end: zero + 1 };
}

/** Decodes one complete message (header included); throws on opcodes the stand-in does not speak. */
export function decodeMessage(msg: Buffer): InboundCommand {
  const header = readHeader(msg);
  if (header.opCode === OP_MSG) {
    const flags = msg.readUInt32LE(16);
    const end = flags & CHECKSUM_PRESENT ? msg.length - 4 : msg.length;
    let at = 20;
    let body: Doc | undefined;
    const sequences: Array<[string, Doc[]]> = [];
    while (at < end) {
      const kind = msg.readUInt8(at);
      at += 1;
      if (kind === 0) {
        const r = readBson(msg, at);
        body = r.doc;
        at = r.end;
      } else if (kind === 1) {
        const size = msg.readInt32LE(at);
        const sectionEnd = at + size;
        const id = readCString(msg, at + 4);
        const docs: Doc[] = [];
        for (let p = id.end; p < sectionEnd; ) {
          const r = readBson(msg, p);
          docs.push(r.doc);
          p = r.end;
        }
        sequences.push([id.value, docs]);
        at = sectionEnd;
      } else {
        throw new Error(`OP_MSG section kind ${kind} is not part of the protocol`);
      }
    }
    if (!body) throw new Error("OP_MSG without a kind 0 section");
    for (const [id, docs] of sequences) body[id] = docs;
    return { header, legacy: false, moreToCome: (flags & MORE_TO_COME) !== 0, body };
  }
  if (header.opCode === OP_QUERY) {
    const name = readCString(msg, 20);
    // flags(4) name numberToSkip(4) numberToReturn(4) query
    const { doc } = readBson(msg, name.end + 8);
    // Old drivers wrap the command as { $query: {...}, $readPreference }.
    const body = (doc.$query as Doc | undefined) ?? doc;
    return { header, legacy: true, moreToCome: false, body };
  }
  throw new Error(`opcode ${header.opCode} is not spoken by the stand-in`);
}

let nextRequestId = 1;

function frame(opCode: number, responseTo: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(16);
  header.writeInt32LE(16 + payload.length, 0);
  header.writeInt32LE(nextRequestId++, 4);
  header.writeInt32LE(responseTo, 8);
  header.writeInt32LE(opCode, 12);
  return Buffer.concat([header, payload]);
}

/** An OP_MSG reply with one kind 0 section. */
export function encodeMsgReply(responseTo: number, body: Doc): Buffer {
  const flags = Buffer.alloc(5); // flagBits = 0, then section kind 0
  return frame(OP_MSG, responseTo, Buffer.concat([flags, BSON.serialize(body)]));
}

/** An OP_REPLY with one document, the answer to an OP_QUERY handshake. */
export function encodeLegacyReply(responseTo: number, body: Doc): Buffer {
  const fixed = Buffer.alloc(20); // responseFlags(4) cursorID(8) startingFrom(4) numberReturned(4)
  fixed.writeInt32LE(1, 16);
  return frame(OP_REPLY, responseTo, Buffer.concat([fixed, BSON.serialize(body)]));
}

/** Splits a byte stream into whole messages, keeping a partial tail for the next chunk. */
export class MessageReader {
  #pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    this.#pending = this.#pending.length ? Buffer.concat([this.#pending, chunk]) : chunk;
    const out: Buffer[] = [];
    while (this.#pending.length >= 4) {
      const length = this.#pending.readInt32LE(0);
      if (this.#pending.length < length) break;
      out.push(this.#pending.subarray(0, length));
      this.#pending = this.#pending.subarray(length);
    }
    return out;
  }
}
