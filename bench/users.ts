// Generated test users with realistically sized names, so the identity cookie weighs what
// it would for real people.
import type { TestUser } from "@entra-bff/entra-emulator";

const givenNames = ["Adele", "Alex", "Diego", "Grady", "Henrietta", "Isaiah", "Johanna", "Lee"];
const surnames = ["Vance", "Wilber", "Siciliani", "Archie", "Mueller", "Langer", "Lorenz", "Gu"];

export function benchUsers(count: number): TestUser[] {
  return Array.from({ length: count }, (_, i) => {
    const givenName = givenNames[i % givenNames.length]!;
    const surname = surnames[Math.floor(i / givenNames.length) % surnames.length]!;
    const upn = `${givenName}.${surname}${i}@contoso.example`.toLowerCase();
    return {
      // A GUID, as Entra's are: the last group has 12 hex digits.
      oid: `00000000-0000-0000-be4c-${(0x1000000000000 + i).toString(16).slice(1)}`,
      displayName: `${givenName} ${surname}`,
      givenName,
      surname,
      userPrincipalName: upn,
      mail: upn,
      jobTitle: "Benchmark Tester",
      officeLocation: "18/2111",
      businessPhones: ["+1 425 555 0109"],
      mobilePhone: null,
      preferredLanguage: "en-US",
    };
  });
}
