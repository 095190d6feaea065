/** Tells this browser's other tabs that the session changed, over a BroadcastChannel. */

export const sessionChannelName = "entra-bff-session";

export type SessionMessage = { type: "signed-in" } | { type: "signed-out" };

export interface SessionChannel {
  post(message: SessionMessage): void;
  /** Returns the unsubscribe function. */
  subscribe(listener: (message: SessionMessage) => void): () => void;
}

const silent: SessionChannel = { post: () => {}, subscribe: () => () => {} };

function isSessionMessage(data: unknown): data is SessionMessage {
  if (typeof data !== "object" || data === null) return false;
  const { type } = data as Record<string, unknown>;
  return type === "signed-in" || type === "signed-out";
}

let shared: SessionChannel | undefined;

/**
 * One channel per tab: a BroadcastChannel does not deliver a message to the instance that
 * posted it, so a tab never reacts to its own news. Without BroadcastChannel (old browsers,
 * some embedded views) tabs still catch up through the session refetch on window focus.
 */
export function sessionChannel(): SessionChannel {
  if (shared) return shared;
  if (typeof BroadcastChannel === "undefined") {
    shared = silent;
    return shared;
  }
  const channel = new BroadcastChannel(sessionChannelName);
  // Node's BroadcastChannel (tests) would otherwise keep the process alive.
  (channel as { unref?: () => void }).unref?.();
  shared = {
    post: (message) => channel.postMessage(message),
    subscribe: (listener) => {
      const onMessage = (event: MessageEvent) => {
        if (isSessionMessage(event.data)) listener(event.data);
      };
      channel.addEventListener("message", onMessage);
      return () => channel.removeEventListener("message", onMessage);
    },
  };
  return shared;
}
