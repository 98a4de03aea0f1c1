// What main.tsx needs from the query layer, in the app's chunk rather than the small entry.
export { seedStartup } from "./app";
export { makeQueryClient } from "./client";
