// Follows one contract's logs on any JSON-RPC node (viem, polling): waits for
// confirmations, keeps a cursor (block number and hash) in the store, finds
// reorgs by parent hash and rewinds to the common ancestor, and hands every
// log of the canonical chain to the sink once (its idempotency key is
// (txHash, logIndex, blockHash); the sink commits it with the log's effects).

import { decodeEventLog, type Abi, type AbiEvent, type Address, type Hash, type Log, type PublicClient } from "viem";
import type { Cursor, HandledLog, LogKey, NodeStore } from "./store.js";

/** A block as the node uses it. */
export interface ChainBlock extends Cursor {
  parentHash: string;
  timestamp: bigint;
}

/** One decoded log of the contract, ready to handle. */
export interface ChainLog {
  key: LogKey;
  block: ChainBlock;
  eventName: string;
  /** Decoded arguments in the event's ABI order. */
  args: unknown[];
}

export interface WatcherSink {
  /** Handles the log and commits its key, effects and cursor (NodeStore.commitLog). */
  handleLog(log: ChainLog): Promise<void>;
  /** The blocks after `ancestor` were replaced; `orphaned` logs were handled on them. */
  onReorg(ancestor: Cursor, orphaned: HandledLog[]): void;
  /** The newest block seen (for device clocks). */
  onHead(block: ChainBlock): void;
}

export interface ChainWatcherOptions {
  client: PublicClient;
  address: Address;
  abi: Abi;
  store: NodeStore;
  sink: WatcherSink;
  /** A log is handled once its block has this many blocks after it (default 0: at the head). */
  confirmations?: number;
  /** Where a node without a cursor starts (default 0). */
  fromBlock?: bigint;
  /** Most blocks per eth_getLogs (default 1000). */
  maxRange?: bigint;
  log?: (line: string) => void;
}

/** Why a poll stopped early: the chain changed while it was read; the next poll starts over. */
class ChainMoved extends Error {}

export class ChainWatcher {
  private readonly confirmations: bigint;
  private readonly maxRange: bigint;
  private readonly events: Map<string, AbiEvent>;

  constructor(private readonly options: ChainWatcherOptions) {
    this.confirmations = BigInt(options.confirmations ?? 0);
    this.maxRange = options.maxRange ?? 1000n;
    this.events = new Map(options.abi.filter((x): x is AbiEvent => x.type === "event").map((e) => [e.name, e]));
  }

  /**
   * One round: detect a reorg at the cursor, then handle the logs of the next
   * range of confirmed blocks. Returns true when it is caught up with the
   * confirmed head (false: more blocks wait, poll again at once).
   */
  async poll(): Promise<boolean> {
    const { client, store } = this.options;
    const head = await client.getBlockNumber({ cacheTime: 0 });
    const latest = await this.block(head);
    if (latest) this.options.sink.onHead(latest);
    await this.rewindIfReorged(head);
    const cursor = store.cursor();
    const target = head - this.confirmations;
    const from = cursor === undefined ? (this.options.fromBlock ?? 0n) : cursor.complete ? cursor.number + 1n : cursor.number;
    if (target < from) return true;
    const to = target - from + 1n > this.maxRange ? from + this.maxRange - 1n : target;
    try {
      await this.handleRange(from, to, cursor);
    } catch (e) {
      if (e instanceof ChainMoved) return false;
      throw e;
    }
    return to === target;
  }

  private async handleRange(from: bigint, to: bigint, cursor: Cursor | undefined): Promise<void> {
    const { client, store, address } = this.options;
    const endBefore = await this.block(to);
    if (!endBefore) throw new ChainMoved();
    const logs = (await client.getLogs({ address, fromBlock: from, toBlock: to })).sort((a, b) =>
      a.blockNumber === b.blockNumber ? (a.logIndex ?? 0) - (b.logIndex ?? 0) : a.blockNumber! < b.blockNumber! ? -1 : 1,
    );
    // Read after the logs: the range still ends in the same block, still hangs off
    // the cursor (parent hash), and every log's block is that chain's.
    const numbers = [...new Set([to, from, ...logs.map((l) => l.blockNumber!)])];
    const blocks = new Map<bigint, ChainBlock>();
    for (const b of await Promise.all(numbers.map((n) => this.block(n)))) if (b) blocks.set(b.number, b);
    const end = blocks.get(to);
    if (!end || end.hash !== endBefore.hash) throw new ChainMoved();
    const first = blocks.get(from);
    if (cursor !== undefined && (first === undefined || (from === cursor.number ? first.hash !== cursor.hash : first.parentHash !== cursor.hash))) throw new ChainMoved();
    for (const log of logs) if (blocks.get(log.blockNumber!)?.hash !== log.blockHash) throw new ChainMoved();

    for (const log of logs) {
      const decoded = this.decode(log, blocks.get(log.blockNumber!)!);
      if (decoded === undefined || store.isHandled(decoded.key)) continue;
      await this.options.sink.handleLog(decoded);
    }
    store.advanceCursor(end);
  }

  /** Compares the cursor with the chain (by parent hash) and rewinds to the common ancestor if they parted. */
  private async rewindIfReorged(head: bigint): Promise<void> {
    const cursor = this.options.store.cursor();
    if (cursor === undefined) return;
    const reorged =
      head > cursor.number ? (await this.block(cursor.number + 1n))?.parentHash !== cursor.hash : (await this.block(cursor.number))?.hash !== cursor.hash;
    if (!reorged) return;
    const ancestor = await this.commonAncestor();
    const orphaned = this.options.store.rewindTo(ancestor);
    this.options.log?.(`chain: reorg after block ${ancestor.number} (${ancestor.hash.slice(0, 10)}); ${orphaned.length} handled log(s) orphaned`);
    this.options.sink.onReorg(ancestor, orphaned);
  }

  /** The newest remembered block still on the chain; below the window, the block before it. */
  private async commonAncestor(): Promise<Cursor> {
    const recent = this.options.store.recentBlocks();
    for (const known of recent) {
      const now = await this.block(known.number);
      if (now?.hash === known.hash) return known;
    }
    const oldest = recent.length > 0 ? recent[recent.length - 1]!.number : (this.options.fromBlock ?? 0n);
    const below = oldest > 0n ? await this.block(oldest - 1n) : undefined;
    if (below) return below;
    const genesis = await this.block(0n);
    if (!genesis) throw new ChainMoved();
    return { number: -1n, hash: genesis.parentHash };
  }

  private async block(number: bigint): Promise<ChainBlock | undefined> {
    try {
      const b = await this.options.client.getBlock({ blockNumber: number });
      return { number: b.number, hash: b.hash, parentHash: b.parentHash, timestamp: b.timestamp };
    } catch (e) {
      if ((e as Error).name === "BlockNotFoundError") return undefined;
      throw e;
    }
  }

  private decode(log: Log, block: ChainBlock): ChainLog | undefined {
    let decoded;
    try {
      decoded = decodeEventLog({ abi: this.options.abi, data: log.data, topics: log.topics as [Hash, ...Hash[]] });
    } catch {
      this.options.log?.(`chain: skipped a log the ABI does not describe (tx ${log.transactionHash}, index ${log.logIndex})`);
      return undefined;
    }
    const event = this.events.get(decoded.eventName!)!;
    const raw = decoded.args as unknown;
    const args = Array.isArray(raw) ? [...raw] : event.inputs.map((input, i) => (raw as Record<string, unknown>)[input.name ?? String(i)]);
    return {
      key: { txHash: log.transactionHash!, logIndex: log.logIndex!, blockHash: log.blockHash! },
      block,
      eventName: decoded.eventName!,
      args,
    };
  }
}
