/** `/tasks`: the user's tasks, and the team summary for holders of `Tasks.Admin`. */
import { tasksApi } from "@entra-bff/contract";
import { RequireRole } from "../../features/session/roles.tsx";
import { useSignedInSession } from "../../features/session/session-query.ts";
import { TasksPage } from "../../features/tasks/TasksPage.tsx";
import { TeamSummary } from "../../features/tasks/TeamSummary.tsx";

export function TasksRoute() {
  const session = useSignedInSession();
  if (!session) return null;
  const userId = session.user.oid;
  return (
    <TasksPage
      userId={userId}
      aside={
        <RequireRole role={tasksApi.adminRole}>
          <TeamSummary userId={userId} />
        </RequireRole>
      }
    />
  );
}
