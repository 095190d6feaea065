import { screen } from "@testing-library/react";
import { expect, test } from "vitest";
import { adele, json, signedInSession, stubBff } from "../fixtures/fake-bff.ts";
import { renderApp } from "../fixtures/render-app.tsx";

test.each(["not_authenticated", "session_expired"])(
  "an /api/* 401 %s shows the signed-out state and keeps the deep link",
  async (code) => {
    const bff = stubBff({
      "GET /auth/session": () => json(200, signedInSession),
      "GET /api/me": () => json(401, { code, message: "Sign in to continue." }),
    });
    const { queryClient } = renderApp({ at: "/projects/42?view=board" });

    const signIn = await screen.findByRole("link", { name: "Sign in with Microsoft" });
    expect(signIn.getAttribute("href")).toBe(
      "/auth/login?returnTo=%2Fprojects%2F42%3Fview%3Dboard",
    );
    expect(screen.queryByRole("button", { name: "Sign out" })).toBeNull();
    expect(queryClient.getQueryCache().find({ queryKey: ["profile", adele.id] })).toBeUndefined();
    // Shown from the 401 itself, not by asking a server that just disagreed with itself.
    expect(bff.requestsTo("GET /auth/session")).toHaveLength(1);
    expect(bff.requestsTo("GET /api/me")).toHaveLength(1);
  },
);
