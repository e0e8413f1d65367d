import type { Register } from "../types.ts";

/** Fitting a law to the user's own runs, `POST /api/v1/fits` (issue 6). Placeholder. */
export const registerUserFits: Register = () => {};
