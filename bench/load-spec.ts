// What the orchestrator asks the load worker to run, over the IPC channel.
import type { Figures } from "./types.ts";

interface Common {
  /** The side's id within its phase, e.g. "bff", "express-session". */
  id: string;
  title: string;
  /** The process that answers: its CPU time (a key of GroupLoad.pids) is charged to the side. */
  server: string;
  /**
   * Stop after this many requests (sign-ins) rather than after the slice's seconds, which
   * then only bound it: the same work again, however fast the machine is at the time.
   */
  amount?: number;
}

/** In a path: the `id` of the JSON answer to the connection's last `captureId` request. */
export const createdIdPlaceholder = "{created-id}";
/** In a header value: the `ETag` of that answer (e.g. for `If-Match`). */
export const createdEtagPlaceholder = "{created-etag}";

export interface HttpRequest {
  method: "GET" | "POST" | "DELETE";
  /** May hold createdIdPlaceholder. */
  path: string;
  /** Values may hold createdEtagPlaceholder. */
  headers: Record<string, string>;
  body?: string;
  /**
   * Remember the answer's `id` and `ETag` for the connection's next requests (a created
   * resource).
   */
  captureId?: boolean;
}

export interface HttpLoad extends Common {
  kind: "http";
  /** Origin to connect to. */
  url: string;
  /** Cycled in order by every connection, each starting at a different entry. */
  requests: HttpRequest[];
  /**
   * Requests that belong together (e.g. create, then delete what was created): connections
   * start only at multiples of it. Default 1.
   */
  stride?: number;
}

export interface SignInLoad extends Common {
  kind: "sign-in";
  bffOrigin: string;
  /** Users to sign in, in turn. */
  upns: string[];
}

export type LoadSpec = HttpLoad | SignInLoad;

/**
 * One phase: its sides measured in turn at the same connection count, in `slices` rounds
 * that alternate the order (A B C, then C B A, …), which cancels a steady drift of the
 * machine for every pair of sides, after `warmupSeconds` of each.
 */
export interface GroupLoad {
  id: string;
  connections: number;
  sides: LoadSpec[];
  /** Measured seconds of each side, split evenly into the slices. */
  seconds: number;
  slices: number;
  warmupSeconds: number;
  /** The process of each server, whose CPU time is read from /proc. */
  pids: Record<string, number>;
}

/** Each side's figures, in the order of GroupLoad.sides. */
export interface GroupFigures {
  sides: Figures[];
}

export type LoadReply = { result: GroupFigures } | { error: string };

/**
 * Where connection `connection` of `connections` starts in a list of `length` requests: spread
 * evenly, so that concurrent requests are for different sessions, at a multiple of `stride`.
 */
export function startOffset(
  connection: number,
  connections: number,
  length: number,
  stride = 1,
): number {
  const units = Math.max(1, Math.floor(length / stride));
  return (Math.floor((connection * units) / connections) % units) * stride;
}

/** The order of the sides (their indexes) in slice `slice`: forwards, then backwards. */
export function sliceOrder(sides: number, slice: number): number[] {
  const forwards = Array.from({ length: sides }, (_, i) => i);
  return slice % 2 === 0 ? forwards : forwards.reverse();
}

/** How long a group may take before the orchestrator gives up on the worker, in ms. */
export function groupTimeLimitMs(
  group: Pick<GroupLoad, "sides" | "seconds" | "slices" | "warmupSeconds">,
): number {
  // Generous: every side's warm-up and slices, plus the longest a straggling request may
  // take in each slice.
  const sides = group.sides.length;
  return (sides * (group.warmupSeconds + group.seconds) + 10 * group.slices * sides + 10) * 1000;
}
