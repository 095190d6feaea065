import { act, screen, waitFor, within } from "@testing-library/react";
import { expect, test } from "vitest";
import { json, signedInSession, stubBff } from "../../fixtures/fake-bff.ts";
import { type FakeTasks, fakeTasks } from "../../fixtures/fake-tasks.ts";
import { renderApp } from "../../fixtures/render-app.tsx";

function tasksBff(tasks: FakeTasks) {
  return stubBff({ "GET /auth/session": () => json(200, signedInSession), ...tasks.routes });
}

async function openTasks() {
  const view = renderApp({ at: "/tasks" });
  await screen.findByRole("heading", { level: 1, name: "Tasks" });
  return view;
}

const taskList = () => screen.findByRole("list", { name: "Your tasks" });
const titles = (list: HTMLElement) =>
  within(list)
    .queryAllByRole("listitem")
    .map((item) => item.querySelector(".task__title")?.textContent);
const problem = () => screen.findByRole("alert");

test("the list, its count, and an empty state when there is nothing", async () => {
  const tasks = fakeTasks(["Water the plants", { title: "Book flights", done: true }]);
  const bff = tasksBff(tasks);
  const { unmount } = await openTasks();

  const list = await taskList();
  expect(titles(list)).toEqual(["Water the plants", "Book flights"]);
  expect(within(list).getByRole("checkbox", { name: "Book flights" })).toHaveProperty(
    "checked",
    true,
  );
  expect(screen.getByText("2 tasks, 1 done")).toBeTruthy();
  expect(bff.requestsTo("GET /api/tasks/tasks")[0]?.headers.get("x-csrf")).toBe("1");
  unmount();

  tasksBff(fakeTasks());
  await openTasks();
  expect(await screen.findByText("No tasks yet")).toBeTruthy();
  expect(screen.getByText("No tasks")).toBeTruthy();
});

test("a list that cannot be loaded says why and can be tried again", async () => {
  const tasks = fakeTasks(["Water the plants"]);
  const loadTasks = tasks.routes["GET /api/tasks/tasks"]!;
  // Three failures: the first answer and the query client's two retries of a 5xx.
  let failures = 3;
  tasks.routes["GET /api/tasks/tasks"] = (request) =>
    failures-- > 0
      ? json(504, { code: "upstream_timeout", message: "The Tasks API did not answer in time." })
      : loadTasks(request);
  tasksBff(tasks);
  const { user } = await openTasks();

  const alert = await screen.findByRole("alert");
  expect(within(alert).getByRole("heading").textContent).toBe("Your tasks could not be loaded");
  expect(alert.textContent).toContain("The Tasks API did not answer in time.");
  expect(screen.getByRole("textbox", { name: "New task" })).toHaveProperty("disabled", true);

  await user.click(within(alert).getByRole("button", { name: "Try again" }));
  expect(titles(await taskList())).toEqual(["Water the plants"]);
});

test("adding shows the task at once, then saves it; the field is cleared for the next", async () => {
  const tasks = fakeTasks();
  const bff = tasksBff(tasks);
  const { user } = await openTasks();
  await screen.findByText("No tasks yet");
  const field = screen.getByRole("textbox", { name: "New task" });

  const held = tasks.hold();
  await user.type(field, "  Call the bank  {Enter}");

  const list = await taskList();
  expect(titles(list)).toEqual(["Call the bank"]);
  expect(within(list).getByText("Saving…")).toBeTruthy();
  expect(field).toHaveProperty("value", "");
  await act(async () => held.release());

  await waitFor(() => expect(within(list).queryByText("Saving…")).toBeNull());
  expect(tasks.tasks.map((t) => t.title)).toEqual(["Call the bank"]);
  const [post] = bff.requestsTo("POST /api/tasks/tasks");
  expect(await post?.json()).toEqual({ title: "Call the bank" });
  expect(post?.headers.get("x-csrf")).toBe("1");
  expect(await screen.findByText("1 task, 0 done")).toBeTruthy();
});

test("an empty or too long title is explained, and nothing is sent", async () => {
  const tasks = fakeTasks();
  const bff = tasksBff(tasks);
  const { user } = await openTasks();
  await screen.findByText("No tasks yet");
  const field = screen.getByRole("textbox", { name: "New task" });

  await user.type(field, "   {Enter}");
  expect(screen.getByText("Type a title for the task.")).toBeTruthy();
  expect(field.getAttribute("aria-invalid")).toBe("true");

  await user.clear(field);
  await user.click(field);
  await user.paste("x".repeat(201));
  await user.keyboard("{Enter}");
  expect(screen.getByText("A title can be at most 200 characters long.")).toBeTruthy();
  expect(bff.requestsTo("POST /api/tasks/tasks")).toHaveLength(0);
});

test("completing sends PATCH with If-Match set to the task's ETag", async () => {
  const tasks = fakeTasks(["Water the plants"]);
  const bff = tasksBff(tasks);
  const { user } = await openTasks();
  const list = await taskList();

  await user.click(within(list).getByRole("checkbox", { name: "Water the plants" }));

  expect(within(list).getByRole("checkbox", { name: "Water the plants" })).toHaveProperty(
    "checked",
    true,
  );
  await waitFor(() => expect(tasks.tasks[0]?.done).toBe(true));
  const [patch] = bff.requestsTo("PATCH /api/tasks/tasks/{id}");
  expect(new URL(patch!.url).pathname).toBe(`/api/tasks/tasks/${tasks.tasks[0]!.id}`);
  expect(patch?.headers.get("if-match")).toBe('"1"');
  expect(await patch?.json()).toEqual({ done: true });
});

test("renaming by keyboard: Enter saves, Escape cancels, focus comes back to Rename", async () => {
  const tasks = fakeTasks(["Water the plants"]);
  const bff = tasksBff(tasks);
  const { user } = await openTasks();
  const list = await taskList();

  const rename = within(list).getByRole("button", { name: "Rename “Water the plants”" });
  rename.focus();
  await user.keyboard("{Enter}");
  const editor = within(list).getByRole("textbox", { name: "New title for “Water the plants”" });
  expect(document.activeElement).toBe(editor);
  await user.keyboard("Something else{Escape}");
  expect(titles(list)).toEqual(["Water the plants"]);
  expect(document.activeElement).toBe(
    within(list).getByRole("button", { name: "Rename “Water the plants”" }),
  );
  expect(bff.requestsTo("PATCH /api/tasks/tasks/{id}")).toHaveLength(0);

  await user.keyboard("{Enter}");
  await user.keyboard("{Control>}a{/Control}Water the ferns{Enter}");

  expect(titles(list)).toEqual(["Water the ferns"]);
  expect(document.activeElement).toBe(
    within(list).getByRole("button", { name: "Rename “Water the ferns”" }),
  );
  await waitFor(() => expect(tasks.tasks[0]?.title).toBe("Water the ferns"));
  const [patch] = bff.requestsTo("PATCH /api/tasks/tasks/{id}");
  expect(await patch?.json()).toEqual({ title: "Water the ferns" });
});

test("deleting sends DELETE with If-Match, and focus moves to the next task", async () => {
  const tasks = fakeTasks(["One", "Two", "Three"]);
  const bff = tasksBff(tasks);
  const { user } = await openTasks();
  const list = await taskList();

  await user.click(within(list).getByRole("button", { name: "Delete “Two”" }));

  expect(titles(list)).toEqual(["One", "Three"]);
  expect(document.activeElement).toBe(within(list).getByRole("checkbox", { name: "Three" }));
  await waitFor(() => expect(tasks.tasks.map((t) => t.title)).toEqual(["One", "Three"]));
  const [del] = bff.requestsTo("DELETE /api/tasks/tasks/{id}");
  expect(del?.headers.get("if-match")).toBe('"1"');
});

test("a refused change is rolled back with a message that says what was not saved", async () => {
  const tasks = fakeTasks(["Water the plants"]);
  tasksBff(tasks);
  const { user } = await openTasks();
  const list = await taskList();
  const unavailable = () =>
    json(503, { code: "upstream_unavailable", message: "The Tasks API is unavailable." });

  tasks.failNext("PATCH /api/tasks/tasks/{id}", unavailable);
  await user.click(within(list).getByRole("checkbox", { name: "Water the plants" }));
  const alert = await problem();
  expect(alert.textContent).toContain(
    "“Water the plants” could not be marked as done: The Tasks API is unavailable.",
  );
  expect(within(list).getByRole("checkbox", { name: "Water the plants" })).toHaveProperty(
    "checked",
    false,
  );

  tasks.failNext("DELETE /api/tasks/tasks/{id}", unavailable);
  await user.click(within(list).getByRole("button", { name: "Delete “Water the plants”" }));
  await waitFor(() =>
    expect(alert.textContent).toContain("“Water the plants” could not be deleted"),
  );
  expect(titles(list)).toEqual(["Water the plants"]);

  tasks.failNext("POST /api/tasks/tasks", () =>
    json(409, { code: "task_limit_reached", message: "You have 1000 tasks already." }),
  );
  await user.type(screen.getByRole("textbox", { name: "New task" }), "One more{Enter}");
  await waitFor(() =>
    expect(alert.textContent).toContain(
      "“One more” could not be added: You have 1000 tasks already.",
    ),
  );
  expect(titles(list)).toEqual(["Water the plants"]);
  expect(tasks.tasks).toHaveLength(1);
});

test("changed in another tab: a 412 says so and the list is reloaded with the latest version", async () => {
  const tasks = fakeTasks(["Water the plants"]);
  const bff = tasksBff(tasks);
  const { user } = await openTasks();
  const list = await taskList();
  const loadsBefore = bff.requestsTo("GET /api/tasks/tasks").length;

  tasks.changeElsewhere(tasks.tasks[0]!.id, { title: "Water the garden" });
  await user.click(within(list).getByRole("checkbox", { name: "Water the plants" }));

  const alert = await problem();
  expect(within(alert).getByText("Changed in another tab")).toBeTruthy();
  expect(alert.textContent).toContain("“Water the plants” was changed in another tab");
  await waitFor(() => expect(titles(list)).toEqual(["Water the garden"]));
  expect(within(list).getByRole("checkbox", { name: "Water the garden" })).toHaveProperty(
    "checked",
    false,
  );
  expect(bff.requestsTo("GET /api/tasks/tasks").length).toBeGreaterThan(loadsBefore);
  expect(tasks.tasks[0]).toMatchObject({ title: "Water the garden", done: false });

  // The reloaded ETag is the one sent next.
  await user.click(within(list).getByRole("checkbox", { name: "Water the garden" }));
  await waitFor(() => expect(tasks.tasks[0]?.done).toBe(true));
  expect(bff.requestsTo("PATCH /api/tasks/tasks/{id}").at(-1)?.headers.get("if-match")).toBe('"2"');
});

test("two quick changes of one task go in order, the second with the ETag the first produced", async () => {
  const tasks = fakeTasks(["Water the plants"]);
  const bff = tasksBff(tasks);
  const { user } = await openTasks();
  const list = await taskList();

  const held = tasks.hold();
  await user.click(within(list).getByRole("checkbox", { name: "Water the plants" }));
  await user.click(within(list).getByRole("button", { name: "Rename “Water the plants”" }));
  await user.keyboard("{Control>}a{/Control}Water the ferns{Enter}");
  expect(titles(list)).toEqual(["Water the ferns"]);
  await act(async () => held.release());

  await waitFor(() =>
    expect(tasks.tasks[0]).toMatchObject({ title: "Water the ferns", done: true }),
  );
  const patches = bff.requestsTo("PATCH /api/tasks/tasks/{id}");
  expect(patches.map((p) => p.headers.get("if-match"))).toEqual(['"1"', '"2"']);
  // What the user did stays on screen throughout; nothing went wrong.
  expect(titles(list)).toEqual(["Water the ferns"]);
  expect(within(list).getByRole("checkbox", { name: "Water the ferns" })).toHaveProperty(
    "checked",
    true,
  );
  expect(screen.queryByRole("alert")).toBeNull();
});

test("a change refused because the session is gone: the page says the session ended, on /tasks", async () => {
  const tasks = fakeTasks(["Water the plants"]);
  tasksBff(tasks);
  const { user } = await openTasks();
  const list = await taskList();

  tasks.failNext("PATCH /api/tasks/tasks/{id}", () =>
    json(401, { code: "session_expired", message: "Your session has ended. Sign in again." }),
  );
  await user.click(within(list).getByRole("checkbox", { name: "Water the plants" }));

  expect(await screen.findByRole("heading", { level: 1, name: "Your session ended" })).toBeTruthy();
  expect(screen.getByRole("link", { name: "Sign in again" }).getAttribute("href")).toBe(
    "/auth/login?returnTo=%2Ftasks",
  );
});
