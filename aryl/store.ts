// The node's persistent state in one SQLite file (node-sqlite3-wasm, file
// backed, rollback journal, synchronous=FULL): the chain cursor, recent block
// hashes (to find the common ancestor after a reorg), the idempotency key of
// every handled log, the scripts' shared state and the device command queue.
// Handling a log commits its key, its state writes, its queued commands and
// the cursor in one transaction, so a crash leaves either all or none.

import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { Database as SqliteDatabase } from "node-sqlite3-wasm";
import { decodeValues, encodeValues, type CallValue } from "./values.js";

/** The last block the node has looked at: number and hash (the hash detects reorgs). */
export interface Cursor {
  number: bigint;
  hash: string;
}

/** The cursor as stored: `complete` is false while logs of its block may still be unhandled. */
export interface StoredCursor extends Cursor {
  complete: boolean;
}

/** A log's idempotency key: the same log in the same block is handled once. */
export interface LogKey {
  txHash: string;
  logIndex: number;
  blockHash: string;
}

export interface QueuedCommand {
  id: number;
  device: string;
  fn: string;
  args: CallValue[];
  /** The log whose handler queued it, if any. */
  origin: LogKey | undefined;
}

export type CommandStatus = "queued" | "delivered" | "failed" | "cancelled";

export interface CommandRecord extends QueuedCommand {
  status: CommandStatus;
  detail: string | undefined;
}

/** What handling one log (or serving one device call) changes, committed at once. */
export interface Effects {
  state: Map<string, bigint>;
  commands: { device: string; fn: string; args: CallValue[] }[];
}

export interface HandledLog extends LogKey {
  blockNumber: bigint;
  event: string;
  orphaned: boolean;
}

/** How many recent block hashes are kept for finding a reorg's common ancestor. */
export const BLOCK_HASH_WINDOW = 1024;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cursor (id INTEGER PRIMARY KEY CHECK (id = 1), number TEXT NOT NULL, hash TEXT NOT NULL, complete INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS blocks (number INTEGER PRIMARY KEY, hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS handled_logs (
  tx_hash TEXT NOT NULL, log_index INTEGER NOT NULL, block_hash TEXT NOT NULL,
  block_number INTEGER NOT NULL, event TEXT NOT NULL, orphaned INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (tx_hash, log_index, block_hash));
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS commands (
  id INTEGER PRIMARY KEY AUTOINCREMENT, device TEXT NOT NULL, fn TEXT NOT NULL, args TEXT NOT NULL,
  origin_tx TEXT, origin_index INTEGER, origin_block TEXT,
  status TEXT NOT NULL DEFAULT 'queued', detail TEXT);
CREATE INDEX IF NOT EXISTS commands_queue ON commands (device, status, id);
`;

const SCHEMA_VERSION = "1";

// A CommonJS package: Node's ES module loader cannot see its named exports.
const { Database } = createRequire(import.meta.url)("node-sqlite3-wasm") as typeof import("node-sqlite3-wasm");

type Row = Record<string, number | bigint | string | Uint8Array | null>;

function text(row: Row, column: string): string {
  return String(row[column]);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * One node per data directory: `node.pid` names the owner. The SQLite build
 * locks with a `<db>.lock` directory that a killed process leaves behind; once
 * no live process owns the directory, that lock is stale and is removed (the
 * rollback journal then undoes the interrupted transaction).
 */
function claimDataDir(dir: string, dbPath: string): string {
  const pidFile = join(dir, "node.pid");
  if (existsSync(pidFile)) {
    const owner = Number(readFileSync(pidFile, "utf8").trim());
    if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && processAlive(owner)) throw new Error(`data directory ${dir} is in use by process ${owner}`);
  }
  rmSync(`${dbPath}.lock`, { recursive: true, force: true });
  writeFileSync(`${pidFile}.tmp`, `${process.pid}\n`);
  renameSync(`${pidFile}.tmp`, pidFile);
  return pidFile;
}

export class NodeStore {
  private constructor(
    private readonly db: SqliteDatabase,
    private readonly pidFile: string,
  ) {}

  /** Opens (creating if needed) `<dir>/node.sqlite`; refuses a directory another live node uses. */
  static open(dir: string): NodeStore {
    mkdirSync(dir, { recursive: true });
    const dbPath = join(dir, "node.sqlite");
    const pidFile = claimDataDir(dir, dbPath);
    const db = new Database(dbPath);
    try {
      db.exec("PRAGMA journal_mode = DELETE; PRAGMA synchronous = FULL;");
      db.exec(SCHEMA);
      const version = db.get("SELECT value FROM meta WHERE key = 'schema'") as Row | null;
      if (version === null) db.run("INSERT INTO meta (key, value) VALUES ('schema', ?)", SCHEMA_VERSION);
      else if (text(version, "value") !== SCHEMA_VERSION) throw new Error(`node store ${dir} has schema ${text(version, "value")}, this node needs ${SCHEMA_VERSION}`);
    } catch (e) {
      db.close();
      rmSync(pidFile, { force: true });
      throw e;
    }
    return new NodeStore(db, pidFile);
  }

  close(): void {
    if (!this.db.isOpen) return;
    this.db.close();
    rmSync(this.pidFile, { force: true });
  }

  /** Runs `body` in one transaction: all of its writes are committed, or none. */
  transaction<T>(body: () => T): T {
    this.db.exec("BEGIN IMMEDIATE");
    try {
      const result = body();
      this.db.exec("COMMIT");
      return result;
    } catch (e) {
      if (this.db.inTransaction) this.db.exec("ROLLBACK");
      throw e;
    }
  }

  // ---- chain position

  cursor(): StoredCursor | undefined {
    const row = this.db.get("SELECT number, hash, complete FROM cursor WHERE id = 1") as Row | null;
    return row === null ? undefined : { number: BigInt(text(row, "number")), hash: text(row, "hash"), complete: Number(row["complete"]) !== 0 };
  }

  /** Moves the cursor and remembers the block's hash (call inside a transaction with the work it records). */
  private setCursor(cursor: Cursor, complete: boolean): void {
    this.db.run(
      "INSERT INTO cursor (id, number, hash, complete) VALUES (1, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET number = excluded.number, hash = excluded.hash, complete = excluded.complete",
      [cursor.number.toString(), cursor.hash, complete ? 1 : 0],
    );
    this.db.run("INSERT OR REPLACE INTO blocks (number, hash) VALUES (?, ?)", [Number(cursor.number), cursor.hash]);
    this.db.run("DELETE FROM blocks WHERE number < ?", Number(cursor.number) - BLOCK_HASH_WINDOW);
  }

  /** Every log up to and including this block has been handled. */
  advanceCursor(cursor: Cursor): void {
    this.transaction(() => this.setCursor(cursor, true));
  }

  /** Remembered block hashes, newest first. */
  recentBlocks(): Cursor[] {
    return (this.db.all("SELECT number, hash FROM blocks ORDER BY number DESC") as Row[]).map((r) => ({ number: BigInt(text(r, "number")), hash: text(r, "hash") }));
  }

  /**
   * A reorg replaced the blocks after `ancestor`: their handled logs are marked
   * orphaned (so the same logs in new blocks are handled again, once), the
   * commands those logs queued and that were not delivered yet are cancelled,
   * and the cursor goes back to the ancestor. Returns the orphaned logs.
   */
  rewindTo(ancestor: Cursor): HandledLog[] {
    return this.transaction(() => {
      const after = Number(ancestor.number);
      const orphaned = (this.db.all("SELECT * FROM handled_logs WHERE block_number > ? AND orphaned = 0 ORDER BY block_number, log_index", after) as Row[]).map(handledFromRow);
      for (const log of orphaned) {
        this.db.run("UPDATE handled_logs SET orphaned = 1 WHERE tx_hash = ? AND log_index = ? AND block_hash = ?", [log.txHash, log.logIndex, log.blockHash]);
        this.db.run(
          "UPDATE commands SET status = 'cancelled', detail = 'its log was removed by a reorg' WHERE status = 'queued' AND origin_tx = ? AND origin_index = ? AND origin_block = ?",
          [log.txHash, log.logIndex, log.blockHash],
        );
      }
      this.db.run("DELETE FROM blocks WHERE number > ?", after);
      this.setCursor(ancestor, true);
      return orphaned.map((l) => ({ ...l, orphaned: true }));
    });
  }

  // ---- handled logs

  isHandled(key: LogKey): boolean {
    return this.db.get("SELECT 1 AS one FROM handled_logs WHERE tx_hash = ? AND log_index = ? AND block_hash = ?", [key.txHash, key.logIndex, key.blockHash]) !== null;
  }

  /** Records a handled log with everything its handler changed, and the cursor, in one transaction. */
  commitLog(key: LogKey, block: Cursor, event: string, effects: Effects): number[] {
    return this.transaction(() => {
      this.db.run("INSERT INTO handled_logs (tx_hash, log_index, block_hash, block_number, event) VALUES (?, ?, ?, ?, ?)", [
        key.txHash,
        key.logIndex,
        key.blockHash,
        Number(block.number),
        event,
      ]);
      const ids = this.writeEffects(effects, key);
      this.setCursor(block, false);
      return ids;
    });
  }

  /** Commits the effects of a device-to-node call (no log, no cursor). */
  commitEffects(effects: Effects): number[] {
    return this.transaction(() => this.writeEffects(effects, undefined));
  }

  handledLogs(): HandledLog[] {
    return (this.db.all("SELECT * FROM handled_logs ORDER BY block_number, log_index, orphaned DESC") as Row[]).map(handledFromRow);
  }

  // ---- shared state

  stateValue(key: string): bigint | undefined {
    const row = this.db.get("SELECT value FROM state WHERE key = ?", key) as Row | null;
    return row === null ? undefined : BigInt(text(row, "value"));
  }

  // ---- command queue

  /** Queues a command outside any log (the library API); returns its id. */
  enqueue(device: string, fn: string, args: CallValue[]): number {
    return this.commitEffects({ state: new Map(), commands: [{ device, fn, args }] })[0]!;
  }

  /** The device's oldest undelivered command. */
  nextCommand(device: string): QueuedCommand | undefined {
    const row = this.db.get("SELECT * FROM commands WHERE device = ? AND status = 'queued' ORDER BY id LIMIT 1", device) as Row | null;
    return row === null ? undefined : commandFromRow(row);
  }

  finishCommand(id: number, status: Exclude<CommandStatus, "queued">, detail?: string): void {
    this.db.run("UPDATE commands SET status = ?, detail = ? WHERE id = ? AND status = 'queued'", [status, detail ?? null, id]);
  }

  command(id: number): CommandRecord | undefined {
    const row = this.db.get("SELECT * FROM commands WHERE id = ?", id) as Row | null;
    return row === null ? undefined : commandFromRow(row);
  }

  commands(device?: string): CommandRecord[] {
    const rows = (device === undefined ? this.db.all("SELECT * FROM commands ORDER BY id") : this.db.all("SELECT * FROM commands WHERE device = ? ORDER BY id", device)) as Row[];
    return rows.map(commandFromRow);
  }

  private writeEffects(effects: Effects, origin: LogKey | undefined): number[] {
    for (const [key, value] of effects.state) {
      this.db.run("INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [key, value.toString()]);
    }
    return effects.commands.map((c) => {
      const info = this.db.run("INSERT INTO commands (device, fn, args, origin_tx, origin_index, origin_block) VALUES (?, ?, ?, ?, ?, ?)", [
        c.device,
        c.fn,
        encodeValues(c.args),
        origin?.txHash ?? null,
        origin?.logIndex ?? null,
        origin?.blockHash ?? null,
      ]);
      return Number(info.lastInsertRowid);
    });
  }
}

function handledFromRow(r: Row): HandledLog {
  return {
    txHash: text(r, "tx_hash"),
    logIndex: Number(r["log_index"]),
    blockHash: text(r, "block_hash"),
    blockNumber: BigInt(text(r, "block_number")),
    event: text(r, "event"),
    orphaned: Number(r["orphaned"]) !== 0,
  };
}

function commandFromRow(r: Row): CommandRecord {
  const origin = r["origin_tx"] === null ? undefined : { txHash: text(r, "origin_tx"), logIndex: Number(r["origin_index"]), blockHash: text(r, "origin_block") };
  return {
    id: Number(r["id"]),
    device: text(r, "device"),
    fn: text(r, "fn"),
    args: decodeValues(text(r, "args")),
    origin,
    status: text(r, "status") as CommandStatus,
    detail: r["detail"] === null ? undefined : text(r, "detail"),
  };
}
