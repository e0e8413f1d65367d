import { createApp } from "./app.ts";

/** The Worker: one app per isolate, so the fit registry cache lives as long as the isolate. */
export default createApp();
