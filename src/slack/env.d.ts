declare namespace Cloudflare {
  interface Env {
    /** The slash command this Worker answers (default `/chinchilla`); set it when you rename the command. */
    SLACK_COMMAND?: string;
  }
}
