/** `/admin-consent?result=…`: admin-consent onboarding (public: no session needed). */
import { getRouteApi } from "@tanstack/react-router";
import { AdminConsentPage } from "../../features/admin-consent/AdminConsentPage.tsx";
import { adminConsentOutcome } from "../../features/admin-consent/admin-consent.ts";

const route = getRouteApi("/admin-consent");

export function AdminConsentRoute() {
  return <AdminConsentPage outcome={adminConsentOutcome(route.useSearch())} />;
}
