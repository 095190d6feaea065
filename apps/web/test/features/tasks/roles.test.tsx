import { screen, within } from "@testing-library/react";
import { expect, test } from "vitest";
import { json, sessionWithRoles, signedInSession, stubBff } from "../../fixtures/fake-bff.ts";
import { fakeTasks } from "../../fixtures/fake-tasks.ts";
import { renderApp } from "../../fixtures/render-app.tsx";

const summary = {
  tenantId: "aaaabbbb-0000-cccc-1111-dddd2222eeee",
  users: 4,
  tasks: 17,
  done: 9,
};

test("Tasks.Admin sees the team summary from /api/tasks-admin/admin/summary", async () => {
  const bff = stubBff({
    "GET /auth/session": () => json(200, sessionWithRoles(["Tasks.Admin"])),
    "GET /api/tasks-admin/admin/summary": () => json(200, summary),
    ...fakeTasks(["Water the plants"]).routes,
  });
  renderApp({ at: "/tasks" });

  const card = await screen.findByRole("region", { name: "Team summary" });
  expect(await within(card).findByText("17")).toBeTruthy();
  expect(within(card).getByText("People with tasks").nextElementSibling?.textContent).toBe("4");
  expect(within(card).getByText("Done").nextElementSibling?.textContent).toBe("9");
  expect(bff.requestsTo("GET /api/tasks-admin/admin/summary")[0]?.headers.get("x-csrf")).toBe("1");
});

test.each([
  ["no roles claim", signedInSession],
  ["another role", sessionWithRoles(["Tasks.Reader"])],
  ["a role differing in case", sessionWithRoles(["tasks.admin"])],
])(
  "without Tasks.Admin (%s) there is no team summary, and it is never asked for",
  async (_, session) => {
    const bff = stubBff({
      "GET /auth/session": () => json(200, session),
      "GET /api/tasks-admin/admin/summary": () => json(200, summary),
      ...fakeTasks(["Water the plants"]).routes,
    });
    renderApp({ at: "/tasks" });

    await screen.findByRole("list", { name: "Your tasks" });
    expect(screen.queryByRole("region", { name: "Team summary" })).toBeNull();
    expect(bff.requestsTo("GET /api/tasks-admin/admin/summary")).toHaveLength(0);
  },
);

test("a role removed since sign-in: the BFF's 403 is explained, not shown as a failure", async () => {
  stubBff({
    "GET /auth/session": () => json(200, sessionWithRoles(["Tasks.Admin"])),
    "GET /api/tasks-admin/admin/summary": () =>
      json(403, { code: "forbidden", message: "This needs the Tasks.Admin role." }),
    ...fakeTasks().routes,
  });
  renderApp({ at: "/tasks" });

  const card = await screen.findByRole("region", { name: "Team summary" });
  expect(await within(card).findByText(/no longer holds the Tasks.Admin role/)).toBeTruthy();
  expect(within(card).queryByRole("alert")).toBeNull();
});
