/** One task: tick it, rename it in place, delete it — all by keyboard too. */
import type { Task, TaskPatch } from "@entra-bff/contract";
import { useEffect, useId, useRef, useState } from "react";
import { checkTitle } from "./task-title.ts";
import { isUnsaved } from "./tasks-query.ts";

export function TaskItem({
  task,
  onChange,
  onDelete,
}: {
  task: Task;
  onChange: (patch: TaskPatch) => void;
  onDelete: () => void;
}) {
  const [editing, setEditing] = useState(false);
  const renameButton = useRef<HTMLButtonElement>(null);
  const returnFocus = useRef(false);
  const checkboxId = useId();
  const unsaved = isUnsaved(task);

  // Leaving the editor puts focus back where it started, not at the top of the page.
  useEffect(() => {
    if (!editing && returnFocus.current) {
      returnFocus.current = false;
      renameButton.current?.focus();
    }
  }, [editing]);

  if (editing) {
    return (
      <li className="task task--editing">
        <RenameForm
          task={task}
          onSave={(title) => {
            returnFocus.current = true;
            setEditing(false);
            if (title !== task.title) onChange({ title });
          }}
          onCancel={() => {
            returnFocus.current = true;
            setEditing(false);
          }}
        />
      </li>
    );
  }

  return (
    <li className={`task${task.done ? " task--done" : ""}${unsaved ? " task--unsaved" : ""}`}>
      <input
        id={checkboxId}
        className="task__check"
        type="checkbox"
        checked={task.done}
        disabled={unsaved}
        onChange={(event) => onChange({ done: event.target.checked })}
      />
      <label className="task__title" htmlFor={checkboxId}>
        {task.title}
      </label>
      {unsaved ? <span className="task__saving">Saving…</span> : null}
      <div className="task__actions">
        <button
          ref={renameButton}
          type="button"
          className="button button--secondary button--small"
          disabled={unsaved}
          aria-label={`Rename “${task.title}”`}
          onClick={() => setEditing(true)}
        >
          Rename
        </button>
        <button
          type="button"
          className="button button--secondary button--small button--danger"
          disabled={unsaved}
          aria-label={`Delete “${task.title}”`}
          onClick={onDelete}
        >
          Delete
        </button>
      </div>
    </li>
  );
}

function RenameForm({
  task,
  onSave,
  onCancel,
}: {
  task: Task;
  onSave: (title: string) => void;
  onCancel: () => void;
}) {
  const [value, setValue] = useState(task.title);
  const [problem, setProblem] = useState<string>();
  const input = useRef<HTMLInputElement>(null);
  const inputId = useId();
  const problemId = useId();

  useEffect(() => {
    input.current?.focus();
    input.current?.select();
  }, []);

  return (
    <form
      className="task__rename"
      onSubmit={(event) => {
        event.preventDefault();
        const checked = checkTitle(value);
        if ("problem" in checked) setProblem(checked.problem);
        else onSave(checked.title);
      }}
    >
      <label className="visually-hidden" htmlFor={inputId}>
        New title for “{task.title}”
      </label>
      <input
        id={inputId}
        ref={input}
        className="field__input"
        value={value}
        aria-invalid={problem !== undefined}
        aria-describedby={problem ? problemId : undefined}
        onChange={(event) => {
          setValue(event.target.value);
          setProblem(undefined);
        }}
        onKeyDown={(event) => {
          if (event.key === "Escape") {
            event.preventDefault();
            onCancel();
          }
        }}
      />
      <button type="submit" className="button button--primary button--small">
        Save
      </button>
      <button type="button" className="button button--secondary button--small" onClick={onCancel}>
        Cancel
      </button>
      {problem ? (
        <p id={problemId} className="field__error">
          {problem}
        </p>
      ) : null}
    </form>
  );
}
