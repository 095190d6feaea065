/**
 * The default tenant's people: each one can sign in and is in Graph's directory. Fictional
 * names in the style of Microsoft's demo tenant; every value is dev-only. The first two are
 * the original test users: tests and the e2e suite pick them by name or index.
 */
import type { TestUser } from "./types.ts";

const domain = "contoso.example";
const company = "Contoso";

interface PersonDetails {
  jobTitle: string;
  department: string;
  officeLocation: string | null;
  city: string;
  country: string;
  businessPhone: string | null;
  mobilePhone?: string;
  preferredLanguage?: string;
  /** A person without a mailbox has no `mail` (and, as at Microsoft 365, no photo). */
  mailbox?: boolean;
  hasPhoto?: boolean;
}

/** UPN and mail follow the demo tenant's `GivenS@domain` pattern. */
function person(oid: string, givenName: string, surname: string, details: PersonDetails): TestUser {
  const userPrincipalName = `${givenName}${surname[0]}@${domain}`;
  const mailbox = details.mailbox ?? true;
  return {
    oid,
    displayName: `${givenName} ${surname}`,
    givenName,
    surname,
    userPrincipalName,
    mail: mailbox ? userPrincipalName : null,
    jobTitle: details.jobTitle,
    officeLocation: details.officeLocation,
    businessPhones: details.businessPhone ? [details.businessPhone] : [],
    mobilePhone: details.mobilePhone ?? null,
    preferredLanguage: details.preferredLanguage ?? "en-US",
    department: details.department,
    companyName: company,
    city: details.city,
    country: details.country,
    hasPhoto: mailbox && (details.hasPhoto ?? true),
  };
}

export const defaultUsers: TestUser[] = [
  {
    oid: "00000000-0000-0000-66f3-3332eca7ea81",
    displayName: "Adele Vance",
    givenName: "Adele",
    surname: "Vance",
    userPrincipalName: "AdeleV@contoso.example",
    mail: "AdeleV@contoso.example",
    jobTitle: "Retail Manager",
    officeLocation: "18/2111",
    businessPhones: ["+1 425 555 0109"],
    mobilePhone: null,
    preferredLanguage: "en-US",
    department: "Retail",
    companyName: company,
    city: "Bellevue",
    country: "United States",
    hasPhoto: true,
  },
  {
    oid: "00000000-0000-0000-a3f9-6e4f0d0c7f12",
    displayName: "Alex Wilber",
    givenName: "Alex",
    surname: "Wilber",
    userPrincipalName: "AlexW@contoso.example",
    mail: "AlexW@contoso.example",
    jobTitle: "Marketing Assistant",
    officeLocation: "131/1104",
    businessPhones: ["+1 858 555 0110"],
    mobilePhone: null,
    preferredLanguage: "en-US",
    department: "Marketing",
    companyName: company,
    city: "San Diego",
    country: "United States",
    // One sign-in user without a photo, so the SPA's initials fallback has a real case.
    hasPhoto: false,
  },
  person("00000000-0000-0000-f61a-cb196862faeb", "Allan", "Deyoung", {
    jobTitle: "IT Admin",
    department: "IT",
    officeLocation: "131/2103",
    city: "Waukesha",
    country: "United States",
    businessPhone: "+1 262 555 0106",
  }),
  person("00000000-0000-0000-3474-521f1ec06e8b", "Cameron", "White", {
    jobTitle: "Marketing Manager",
    department: "Marketing",
    officeLocation: "12/1110",
    city: "Pittsburgh",
    country: "United States",
    businessPhone: "+1 412 555 0109",
    mobilePhone: "+1 412 555 0190",
  }),
  person("00000000-0000-0000-5a5f-15cad43b20c9", "Christie", "Cline", {
    jobTitle: "Buyer",
    department: "Retail",
    officeLocation: "131/2105",
    city: "San Diego",
    country: "United States",
    businessPhone: "+1 858 555 0111",
  }),
  person("00000000-0000-0000-4c7b-68e9517457f8", "Debra", "Berger", {
    jobTitle: "Administrative Assistant",
    department: "Executive Management",
    officeLocation: "18/2107",
    city: "Bellevue",
    country: "United States",
    businessPhone: "+1 206 555 0104",
    mobilePhone: "+1 206 555 0171",
  }),
  person("00000000-0000-0000-b581-2448b1b902ee", "Diego", "Siciliani", {
    jobTitle: "HR Manager",
    department: "HR",
    officeLocation: "14/1108",
    city: "Birmingham",
    country: "United States",
    businessPhone: "+1 205 555 0108",
  }),
  person("00000000-0000-0000-213a-81990af1f3ab", "Emily", "Braun", {
    jobTitle: "Budget Analyst",
    department: "Finance",
    officeLocation: "97/2302",
    city: "Louisville",
    country: "United States",
    businessPhone: "+1 502 555 0102",
  }),
  person("00000000-0000-0000-9388-049c16f0392f", "Enrico", "Cattaneo", {
    jobTitle: "Attorney",
    department: "Legal",
    officeLocation: "14/1102",
    city: "Milan",
    country: "Italy",
    businessPhone: "+39 02 5550 1203",
    preferredLanguage: "it-IT",
  }),
  person("00000000-0000-0000-4f78-a9adc9155859", "Grady", "Archie", {
    jobTitle: "Designer",
    department: "R&D",
    officeLocation: "19/2109",
    city: "Bloomington",
    country: "United States",
    businessPhone: "+1 309 555 0104",
    hasPhoto: false,
  }),
  person("00000000-0000-0000-21c0-2adf6218303d", "Henrietta", "Mueller", {
    jobTitle: "Developer",
    department: "R&D",
    officeLocation: "18/1106",
    city: "Munich",
    country: "Germany",
    businessPhone: "+49 89 5550 3345",
    preferredLanguage: "de-DE",
  }),
  person("00000000-0000-0000-75e8-91b99d3be6f3", "Irvin", "Sayers", {
    jobTitle: "Director",
    department: "R&D",
    officeLocation: "20/2107",
    city: "Bloomington",
    country: "United States",
    businessPhone: "+1 309 555 0101",
    mobilePhone: "+1 309 555 0180",
  }),
  person("00000000-0000-0000-87b2-2ffeb5b8ab5d", "Isaiah", "Langer", {
    jobTitle: "Sales Rep",
    department: "Sales",
    officeLocation: "20/1101",
    city: "Tulsa",
    country: "United States",
    businessPhone: "+1 918 555 0101",
  }),
  person("00000000-0000-0000-2931-66e591be9c34", "Johanna", "Lorenz", {
    jobTitle: "Senior Engineer",
    department: "Engineering",
    officeLocation: "23/2102",
    city: "Louisville",
    country: "United States",
    businessPhone: "+1 502 555 0103",
  }),
  person("00000000-0000-0000-d5a9-e7cf53b55fe1", "Joni", "Sherman", {
    jobTitle: "Paralegal",
    department: "Legal",
    officeLocation: "20/1109",
    city: "Charlotte",
    country: "United States",
    businessPhone: "+1 980 555 0101",
  }),
  person("00000000-0000-0000-72d8-879d3885f689", "Lidia", "Holloway", {
    jobTitle: "Product Manager",
    department: "Engineering",
    officeLocation: "20/2107",
    city: "Tulsa",
    country: "United States",
    businessPhone: "+1 918 555 0107",
  }),
  person("00000000-0000-0000-58c4-f231b26bab7c", "Lynne", "Robbins", {
    jobTitle: "Planner",
    department: "Retail",
    officeLocation: "20/1104",
    city: "Tulsa",
    country: "United States",
    businessPhone: "+1 918 555 0104",
  }),
  person("00000000-0000-0000-99fb-f25827d7740e", "Miriam", "Graham", {
    jobTitle: "Director",
    department: "Sales & Marketing",
    officeLocation: "131/2102",
    city: "San Diego",
    country: "United States",
    businessPhone: "+1 858 555 0103",
  }),
  person("00000000-0000-0000-ee37-144ba64cb173", "Nestor", "Wilke", {
    jobTitle: "Director",
    department: "Operations",
    officeLocation: "36/2121",
    city: "Seattle",
    country: "United States",
    businessPhone: "+1 206 555 0105",
  }),
  person("00000000-0000-0000-3a54-3cbf3608ed11", "Patti", "Fernandez", {
    jobTitle: "President",
    department: "Executive Management",
    officeLocation: "15/1102",
    city: "Louisville",
    country: "United States",
    businessPhone: "+1 502 555 0144",
    hasPhoto: false,
  }),
  person("00000000-0000-0000-f3bb-3f1641cd7d14", "Pradeep", "Gupta", {
    jobTitle: "Accountant",
    department: "Finance",
    officeLocation: "98/2202",
    city: "Cairo",
    country: "Egypt",
    businessPhone: "+20 255501070",
  }),
  person("00000000-0000-0000-023f-9753f65749f5", "Wanda", "Howard", {
    jobTitle: "Director",
    department: "Manufacturing",
    officeLocation: null,
    city: "Overland Park",
    country: "United States",
    businessPhone: "+1 913 555 0101",
    mailbox: false,
  }),
];
