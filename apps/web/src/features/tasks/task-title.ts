/** What the Tasks API accepts as a title (`TaskTitleSchema`), checked before sending. */
import { tasksApi } from "@entra-bff/contract";

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point.
const controlCharacters = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** The trimmed title, or why it cannot be one. Length in characters (code points), as the API counts. */
export function checkTitle(input: string): { title: string } | { problem: string } {
  const title = input.trim();
  if (title === "") return { problem: "Type a title for the task." };
  if ([...title].length > tasksApi.titleMaxLength) {
    return { problem: `A title can be at most ${tasksApi.titleMaxLength} characters long.` };
  }
  if (controlCharacters.test(title))
    return { problem: "A title cannot contain line breaks or tabs." };
  return { title };
}
