/** `/tasks`: the signed-in user's own tasks, kept by the Tasks API. */
import { tasksApi } from "@entra-bff/contract";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { type ReactNode, useCallback, useEffect, useId, useRef, useState } from "react";
import { ErrorState } from "../../components/ErrorState.tsx";
import { PageHeader } from "../../components/PageHeader.tsx";
import { TaskItem } from "./TaskItem.tsx";
import { checkTitle } from "./task-title.ts";
import { tasksQuery } from "./tasks-query.ts";
import { type ReportProblem, type TaskProblem, useTaskChanges } from "./use-task-changes.ts";
import "./tasks.css";

export function TasksPage({
  userId,
  aside,
}: {
  userId: string;
  /** Shown beside the list (the team summary, for those who may see it). */
  aside?: ReactNode;
}) {
  const queryClient = useQueryClient();
  const tasks = useQuery(tasksQuery(queryClient, userId));
  const [problems, setProblems] = useState<TaskProblem[]>([]);
  const nextProblemId = useRef(0);
  const report = useCallback<ReportProblem>((problem) => {
    nextProblemId.current += 1;
    const id = nextProblemId.current;
    setProblems((current) => [...current.slice(-2), { ...problem, id }]);
  }, []);
  const changes = useTaskChanges(userId, report);

  const list = tasks.data?.tasks ?? [];
  const done = list.filter((task) => task.done).length;

  // After a delete, focus goes to the task that took its place (or the one before, or the
  // new-task field), never to the top of the page.
  const listRef = useRef<HTMLUListElement>(null);
  const newTaskInput = useRef<HTMLInputElement>(null);
  const focusAt = useRef<number | undefined>(undefined);
  useEffect(() => {
    const index = focusAt.current;
    if (index === undefined) return;
    focusAt.current = undefined;
    const checks = listRef.current?.querySelectorAll<HTMLElement>(".task__check") ?? [];
    const target = checks[Math.min(index, checks.length - 1)] ?? newTaskInput.current;
    target?.focus();
  });

  return (
    <>
      <PageHeader
        title="Tasks"
        lead="Your own to-do list, kept by the Tasks API. Only you can see these tasks."
      />
      <div className="layout-grid layout-grid--tasks">
        <section className="card tasks" aria-labelledby="tasks-heading">
          <header className="card__header">
            <h2 id="tasks-heading" className="card__title">
              Your tasks
            </h2>
            {tasks.isSuccess ? (
              <span className="card__meta" role="status">
                {list.length === 0
                  ? "No tasks"
                  : `${list.length} ${list.length === 1 ? "task" : "tasks"}, ${done} done`}
              </span>
            ) : null}
          </header>
          {problems.length > 0 ? (
            <Problems
              problems={problems}
              onDismiss={(id) => setProblems((current) => current.filter((p) => p.id !== id))}
            />
          ) : null}
          <NewTaskForm
            inputRef={newTaskInput}
            disabled={!tasks.isSuccess || list.length >= tasksApi.maxTasksPerUser}
            onAdd={(title) => changes.add.mutate({ title })}
          />
          {tasks.isPending ? (
            <p className="tasks__loading" role="status">
              Loading your tasks…
            </p>
          ) : tasks.isError ? (
            <ErrorState
              title="Your tasks could not be loaded"
              error={tasks.error}
              onRetry={() => void tasks.refetch()}
              retrying={tasks.isFetching}
            />
          ) : list.length === 0 ? (
            <div className="empty-state">
              <p className="empty-state__title">No tasks yet</p>
              <p>Add your first one above. Your tasks are kept until you delete them.</p>
            </div>
          ) : (
            <ul ref={listRef} className="tasks__list" aria-label="Your tasks">
              {list.map((task, index) => (
                <TaskItem
                  key={task.id}
                  task={task}
                  onChange={(patch) => changes.update.mutate({ task, patch })}
                  onDelete={() => {
                    focusAt.current = index;
                    changes.remove.mutate({ task });
                  }}
                />
              ))}
            </ul>
          )}
        </section>
        {aside}
      </div>
    </>
  );
}

function NewTaskForm({
  inputRef,
  disabled,
  onAdd,
}: {
  inputRef: React.RefObject<HTMLInputElement | null>;
  disabled: boolean;
  onAdd: (title: string) => void;
}) {
  const [value, setValue] = useState("");
  const [problem, setProblem] = useState<string>();
  const inputId = useId();
  const problemId = useId();
  return (
    <form
      className="tasks__new"
      onSubmit={(event) => {
        event.preventDefault();
        const checked = checkTitle(value);
        if ("problem" in checked) {
          setProblem(checked.problem);
          inputRef.current?.focus();
          return;
        }
        onAdd(checked.title);
        setValue("");
      }}
    >
      <label className="field__label" htmlFor={inputId}>
        New task
      </label>
      <div className="tasks__new-row">
        <input
          id={inputId}
          ref={inputRef}
          className="field__input"
          value={value}
          disabled={disabled}
          autoComplete="off"
          placeholder="What needs doing?"
          aria-invalid={problem !== undefined}
          aria-describedby={problem ? problemId : undefined}
          onChange={(event) => {
            setValue(event.target.value);
            setProblem(undefined);
          }}
        />
        <button type="submit" className="button button--primary" disabled={disabled}>
          Add task
        </button>
      </div>
      {problem ? (
        <p id={problemId} className="field__error">
          {problem}
        </p>
      ) : null}
    </form>
  );
}

function Problems({
  problems,
  onDismiss,
}: {
  problems: TaskProblem[];
  onDismiss: (id: number) => void;
}) {
  return (
    <div className="tasks__problems" role="alert">
      {problems.map((problem) => (
        <div
          key={problem.id}
          className={`notice notice--banner ${problem.kind === "conflict" ? "notice--warning" : "notice--error"}`}
        >
          <div className="notice__content">
            <p className="notice__title">
              {problem.kind === "conflict" ? "Changed in another tab" : "Not saved"}
            </p>
            <p className="notice__text">{problem.message}</p>
          </div>
          <button
            type="button"
            className="icon-button notice__dismiss"
            aria-label="Dismiss message"
            onClick={() => onDismiss(problem.id)}
          >
            <span aria-hidden="true">×</span>
          </button>
        </div>
      ))}
    </div>
  );
}
